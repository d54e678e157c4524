//! information_schema views over the same live sources as pg_catalog.

use super::{rel, Relation};

pub(super) fn add(all: &mut Vec<Relation>) {
    rel(
        all,
        "pgcat_is_schemata",
        "catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name \
         default_character_set_schema:name default_character_set_name:name sql_path:varchar",
        "SELECT pg_current_database() AS catalog_name, n.nspname AS schema_name, \
           pg_get_userbyid(n.nspowner) AS schema_owner, NULL AS default_character_set_catalog, \
           NULL AS default_character_set_schema, NULL AS default_character_set_name, \
           NULL AS sql_path FROM pgcat_pg_namespace n",
    );
    rel(
        all,
        "pgcat_is_tables",
        "table_catalog:name table_schema:name table_name:name table_type:varchar \
         self_referencing_column_name:name reference_generation:varchar \
         user_defined_type_catalog:name user_defined_type_schema:name \
         user_defined_type_name:name is_insertable_into:varchar is_typed:varchar \
         commit_action:varchar",
        "SELECT pg_current_database() AS table_catalog, r.nsp AS table_schema, \
           r.relname AS table_name, CASE r.type WHEN 'table' THEN 'BASE TABLE' ELSE 'VIEW' END AS table_type, \
           NULL AS self_referencing_column_name, NULL AS reference_generation, \
           NULL AS user_defined_type_catalog, NULL AS user_defined_type_schema, \
           NULL AS user_defined_type_name, CASE r.type WHEN 'table' THEN 'YES' ELSE 'NO' END AS is_insertable_into, \
           'NO' AS is_typed, NULL AS commit_action FROM pgcat__rel r WHERE r.type <> 'sequence'",
    );
    rel(
        all,
        "pgcat_is_columns",
        "table_catalog:name table_schema:name table_name:name column_name:name \
         ordinal_position:int4 column_default:varchar is_nullable:varchar data_type:varchar \
         character_maximum_length:int4 character_octet_length:int4 numeric_precision:int4 \
         numeric_precision_radix:int4 numeric_scale:int4 datetime_precision:int4 \
         interval_type:varchar interval_precision:int4 character_set_catalog:name \
         character_set_schema:name character_set_name:name collation_catalog:name \
         collation_schema:name collation_name:name domain_catalog:name domain_schema:name \
         domain_name:name udt_catalog:name udt_schema:name udt_name:name scope_catalog:name \
         scope_schema:name scope_name:name maximum_cardinality:int4 dtd_identifier:name \
         is_self_referencing:varchar is_identity:varchar identity_generation:varchar \
         identity_start:varchar identity_increment:varchar identity_maximum:varchar \
         identity_minimum:varchar identity_cycle:varchar is_generated:varchar \
         generation_expression:varchar is_updatable:varchar",
        "SELECT pg_current_database() AS table_catalog, pg_rel_schema(c.relname) AS table_schema, \
           pg_rel_name(c.relname) AS table_name, c.attname AS column_name, c.attnum AS ordinal_position, \
           CASE WHEN c.ident = '' THEN c.dflt END AS column_default, CASE WHEN c.nn THEN 'NO' ELSE 'YES' END AS is_nullable, \
           pg_info_data_type(c.typid) AS data_type, \
           pg_info_number(c.typid, pg_type_mod(c.decl), 'length') AS character_maximum_length, \
           pg_info_number(c.typid, pg_type_mod(c.decl), 'octets') AS character_octet_length, \
           pg_info_number(c.typid, pg_type_mod(c.decl), 'precision') AS numeric_precision, \
           pg_info_number(c.typid, pg_type_mod(c.decl), 'radix') AS numeric_precision_radix, \
           pg_info_number(c.typid, pg_type_mod(c.decl), 'scale') AS numeric_scale, \
           pg_info_number(c.typid, pg_type_mod(c.decl), 'datetime') AS datetime_precision, \
           NULL AS interval_type, NULL AS interval_precision, NULL AS character_set_catalog, \
           NULL AS character_set_schema, NULL AS character_set_name, NULL AS collation_catalog, \
           NULL AS collation_schema, NULL AS collation_name, NULL AS domain_catalog, \
           NULL AS domain_schema, NULL AS domain_name, pg_current_database() AS udt_catalog, \
           (SELECT CASE t.typnamespace WHEN 2200 THEN 'public' ELSE 'pg_catalog' END \
             FROM pgcat_pg_type t WHERE t.oid = c.typid) AS udt_schema, \
           (SELECT t.typname FROM pgcat_pg_type t WHERE t.oid = c.typid) AS udt_name, \
           NULL AS scope_catalog, NULL AS scope_schema, NULL AS scope_name, \
           NULL AS maximum_cardinality, CAST(c.attnum AS TEXT) AS dtd_identifier, \
           'NO' AS is_self_referencing, \
           CASE WHEN c.ident = '' THEN 'NO' ELSE 'YES' END AS is_identity, \
           CASE c.ident WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity_generation, \
           CASE WHEN c.ident <> '' THEN '1' END AS identity_start, \
           CASE WHEN c.ident <> '' THEN '1' END AS identity_increment, \
           CASE WHEN c.ident <> '' THEN CASE c.typid WHEN 21 THEN '32767' WHEN 23 THEN '2147483647' \
             ELSE '9223372036854775807' END END AS identity_maximum, \
           CASE WHEN c.ident <> '' THEN '1' END AS identity_minimum, \
           'NO' AS identity_cycle, \
           CASE WHEN c.gen IS NULL THEN 'NEVER' ELSE 'ALWAYS' END AS is_generated, \
           c.gen AS generation_expression, \
           CASE c.reltype WHEN 'table' THEN 'YES' ELSE 'NO' END AS is_updatable \
         FROM pgcat__col c WHERE c.reltype <> 'sequence'",
    );
    rel(
        all,
        "pgcat_is_table_constraints",
        "constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name \
         table_schema:name table_name:name constraint_type:varchar is_deferrable:varchar \
         initially_deferred:varchar enforced:varchar nulls_distinct:varchar",
        "SELECT pg_current_database() AS constraint_catalog, r.nsp AS constraint_schema, \
           k.conname AS constraint_name, pg_current_database() AS table_catalog, \
           r.nsp AS table_schema, r.relname AS table_name, \
           CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' ELSE 'FOREIGN KEY' END AS constraint_type, \
           'NO' AS is_deferrable, 'NO' AS initially_deferred, 'YES' AS enforced, \
           CASE k.contype WHEN 'f' THEN NULL ELSE 'YES' END AS nulls_distinct \
         FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid",
    );
    rel(
        all,
        "pgcat_is_key_column_usage",
        "constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name \
         table_schema:name table_name:name column_name:name ordinal_position:int4 \
         position_in_unique_constraint:int4",
        "SELECT pg_current_database() AS constraint_catalog, r.nsp AS constraint_schema, \
           k.conname AS constraint_name, pg_current_database() AS table_catalog, \
           r.nsp AS table_schema, r.relname AS table_name, a.attname AS column_name, \
           CAST(j.key AS INTEGER) + 1 AS ordinal_position, \
           CASE k.contype WHEN 'f' THEN CAST(j.key AS INTEGER) + 1 END AS position_in_unique_constraint \
         FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid \
           JOIN json_each(CASE WHEN k.contype = 'f' THEN NULL ELSE k.conkey END) j \
           JOIN pgcat__col a ON a.relid = k.conrelid AND a.attnum = j.value \
         UNION ALL \
         SELECT pg_current_database(), r.nsp, k.conname, pg_current_database(), r.nsp, \
           r.relname, fk.\"from\", fk.seq + 1, fk.seq + 1 \
         FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid \
           JOIN pragma_foreign_key_list(r.name) fk \
             ON k.contype = 'f' AND k.oid = 4000000 + 100 * (r.oid - 16384) + fk.id",
    );
    rel(
        all,
        "pgcat_is_referential_constraints",
        "constraint_catalog:name constraint_schema:name constraint_name:name \
         unique_constraint_catalog:name unique_constraint_schema:name \
         unique_constraint_name:name match_option:varchar update_rule:varchar \
         delete_rule:varchar",
        "SELECT pg_current_database() AS constraint_catalog, \
           (SELECT r.nsp FROM pgcat__rel r WHERE r.oid = k.conrelid) AS constraint_schema, \
           k.conname AS constraint_name, pg_current_database() AS unique_constraint_catalog, \
           (SELECT r.nsp FROM pgcat__rel r WHERE r.oid = k.confrelid) AS unique_constraint_schema, \
           (SELECT u.conname FROM pgcat__con u WHERE u.conrelid = k.confrelid AND u.contype = 'p') AS unique_constraint_name, \
           'NONE' AS match_option, \
           CASE k.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS update_rule, \
           CASE k.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS delete_rule \
         FROM pgcat__con k WHERE k.contype = 'f'",
    );
    rel(
        all,
        "pgcat_is_constraint_column_usage",
        "table_catalog:name table_schema:name table_name:name column_name:name \
         constraint_catalog:name constraint_schema:name constraint_name:name",
        "SELECT pg_current_database() AS table_catalog, r.nsp AS table_schema, \
           r.relname AS table_name, a.attname AS column_name, pg_current_database() AS constraint_catalog, \
           r.nsp AS constraint_schema, k.conname AS constraint_name \
         FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid \
           JOIN json_each(k.conkey) j JOIN pgcat__col a ON a.relid = k.conrelid AND a.attnum = j.value \
         WHERE k.contype <> 'f' \
         UNION ALL \
         SELECT pg_current_database(), pg_rel_schema(fk.\"table\"), pg_rel_name(fk.\"table\"), \
           coalesce(fk.\"to\", (SELECT p.name FROM pragma_table_info(fk.\"table\") p WHERE p.pk = fk.seq + 1)), \
           pg_current_database(), r.nsp, k.conname \
         FROM pgcat__con k JOIN pgcat__rel r ON r.oid = k.conrelid \
           JOIN pragma_foreign_key_list(r.name) fk \
             ON k.contype = 'f' AND k.oid = 4000000 + 100 * (r.oid - 16384) + fk.id",
    );
    rel(
        all,
        "pgcat_is_views",
        "table_catalog:name table_schema:name table_name:name view_definition:varchar \
         check_option:varchar is_updatable:varchar is_insertable_into:varchar",
        "SELECT pg_current_database() AS table_catalog, r.nsp AS table_schema, \
           r.relname AS table_name, r.sql AS view_definition, 'NONE' AS check_option, \
           'NO' AS is_updatable, 'NO' AS is_insertable_into FROM pgcat__rel r WHERE r.type = 'view'",
    );
    rel(
        all,
        "pgcat_is_sequences",
        "sequence_catalog:name sequence_schema:name sequence_name:name data_type:varchar \
         numeric_precision:int4 start_value:varchar minimum_value:varchar \
         maximum_value:varchar increment:varchar cycle_option:varchar",
        "SELECT pg_current_database() AS sequence_catalog, \
           (SELECT n.nspname FROM pgcat_pg_namespace n WHERE n.oid = s.relnamespace) AS sequence_schema, \
           s.relname AS sequence_name, 'bigint' AS data_type, 64 AS numeric_precision, \
           CAST(s.seqstart AS TEXT) AS start_value, CAST(s.seqmin AS TEXT) AS minimum_value, \
           CAST(s.seqmax AS TEXT) AS maximum_value, CAST(s.seqincrement AS TEXT) AS increment, \
           CASE WHEN s.seqcycle THEN 'YES' ELSE 'NO' END AS cycle_option \
         FROM (SELECT q.*, c.relname, c.relnamespace FROM pgcat_pg_sequence q \
               JOIN pgcat_pg_class c ON c.oid = q.seqrelid) s",
    );
    rel(
        all,
        "pgcat_is_routines",
        "specific_catalog:name specific_schema:name specific_name:name routine_catalog:name \
         routine_schema:name routine_name:name routine_type:varchar data_type:varchar \
         type_udt_catalog:name type_udt_schema:name type_udt_name:name routine_body:varchar \
         routine_definition:varchar external_language:varchar is_deterministic:varchar \
         security_type:varchar",
        "SELECT pg_current_database() AS specific_catalog, 'public' AS specific_schema, \
           p.proname || '_' || p.oid AS specific_name, pg_current_database() AS routine_catalog, \
           'public' AS routine_schema, p.proname AS routine_name, 'FUNCTION' AS routine_type, \
           pg_info_data_type(p.prorettype) AS data_type, pg_current_database() AS type_udt_catalog, \
           CASE WHEN p.prorettype < 1000000 OR p.prorettype >= 2000000 THEN 'pg_catalog' \
             ELSE 'public' END AS type_udt_schema, \
           (SELECT t.typname FROM pgcat_pg_type t WHERE t.oid = p.prorettype) AS type_udt_name, \
           CASE WHEN p.prolang = 14 THEN 'SQL' ELSE 'EXTERNAL' END AS routine_body, \
           p.prosrc AS routine_definition, \
           CASE WHEN p.prolang = 14 THEN 'SQL' ELSE 'PLPGSQL' END AS external_language, \
           'NO' AS is_deterministic, 'INVOKER' AS security_type \
         FROM pgcat_pg_proc p",
    );
}
