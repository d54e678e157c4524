//! The extended query protocol: Parse translates and prepares (learning
//! parameter and result types from the live schema), Bind/Execute decode
//! parameters and run, with row limits served from the portal.

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use futures::stream::{self, StreamExt};
use futures::Sink;
use futures::SinkExt;
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{FieldInfo, QueryResponse, Response};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::Entry;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, Type, DEFAULT_NAME};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::data::{NoData, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{
    Bind, Close, Describe, Execute, Parse, Sync as PgSync, TARGET_TYPE_BYTE_PORTAL,
    TARGET_TYPE_BYTE_STATEMENT,
};
use pgwire::messages::response::ReadyForQuery;
use pgwire::messages::PgWireBackendMessage;

use super::conn::ConnHandler;
use super::session::{field_infos, wire_type, Outcome, Session};
use crate::backend::sqlite::exec::ColumnInfo;
use crate::sql::decode::decode_param;
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::{ParamHint, ResultTypes, StmtKind, Translation};

/// A statement after Parse.
#[derive(Debug)]
pub struct Prepared {
    pub translation: Translation,
    pub param_types: Vec<PgType>,
    pub columns: Vec<ColumnInfo>,
    pub result_types: Arc<[PgType]>,
    /// Admin statements run through the admin module instead.
    pub admin: Option<crate::admin::AdminStatement>,
}

pub type Statement = Arc<Prepared>;

/// Parses statements for one connection's session.
pub struct Parser {
    pub session: Arc<OnceLock<Arc<Session>>>,
}

fn one_statement(mut stmts: Vec<Translation>) -> Result<Option<Translation>, SqlError> {
    match stmts.len() {
        0 => Ok(None),
        1 => Ok(stmts.pop()),
        _ => Err(SqlError::new(
            "42601",
            "cannot insert multiple commands into a prepared statement",
        )),
    }
}

/// Prepares a tenant statement: translation plus what SQLite says about it.
pub async fn prepare(
    session: &Arc<Session>,
    sql: &str,
    client_types: &[Option<Type>],
) -> Result<Option<Prepared>, SqlError> {
    let translations = session.translate(sql).await?;
    let Some(t) = one_statement(translations.as_ref().clone())? else {
        return Ok(None);
    };
    // PostgreSQL refuses to even parse other statements in a failed block.
    if session.tx_status() == super::session::TxStatus::Failed
        && !matches!(
            t.kind,
            StmtKind::Rollback | StmtKind::Commit | StmtKind::RollbackTo(_)
        )
    {
        return Err(SqlError::in_failed_transaction());
    }
    // Result and parameter types worked out while a data-modifying WITH's
    // tables existed.
    let mut with_types = None;
    let (columns, param_count) = match &t.kind {
        StmtKind::Query { .. } if !t.steps.is_empty() => {
            let (steps, sql) = (t.steps.clone(), t.sql.clone());
            let (retype, hints) = (t.retype.clone(), t.params.clone());
            let d = session
                .with_conn(move |c| c.describe_with_steps(&steps, &sql, retype.as_ref(), &hints))
                .await?;
            with_types = Some((d.retyped, d.param_types));
            (d.described.columns, d.described.param_count)
        }
        StmtKind::Query { .. } => {
            let sql = t.sql.clone();
            let d = session.with_schema(move |c| c.describe(&sql)).await?;
            (d.columns, d.param_count)
        }
        StmtKind::Show { name } => {
            let col = if name == "all" {
                vec![
                    "name".to_owned(),
                    "setting".to_owned(),
                    "description".to_owned(),
                ]
            } else {
                let s = session.settings.lock().unwrap_or_else(|p| p.into_inner());
                vec![s.show(name)?.0]
            };
            (
                col.into_iter()
                    .map(|name| ColumnInfo {
                        name,
                        decl: Some(PgType::Text),
                    })
                    .collect(),
                0,
            )
        }
        // COPY answers Describe with NoData; its target is checked here, as
        // PostgreSQL does at Parse (clients expect errors there).
        StmtKind::CopyIn {
            table,
            columns,
            options,
        } => {
            let (table, columns, options) = (table.clone(), columns.clone(), options.clone());
            session
                .read_schema(move |c| {
                    super::copy::loader::resolve(c.sqlite(), &table, &columns, &options).map(|_| ())
                })
                .await?;
            (Vec::new(), 0)
        }
        StmtKind::CopyOut { query_sql, .. } => {
            let sql = query_sql.clone();
            session.with_schema(move |c| c.describe(&sql)).await?;
            (Vec::new(), 0)
        }
        StmtKind::Declare { query, .. } => {
            let sql = query.sql.clone();
            let d = session.with_schema(move |c| c.describe(&sql)).await?;
            (Vec::new(), d.param_count)
        }
        StmtKind::Fetch { name, .. } => match session.cursors.describe(name) {
            // The cursor's types, so RowDescription matches what FETCH encodes.
            Some((columns, types, _)) => (
                columns
                    .into_iter()
                    .zip(types)
                    .map(|(c, t)| ColumnInfo {
                        name: c.name,
                        decl: Some(t),
                    })
                    .collect(),
                0,
            ),
            None => (Vec::new(), 0),
        },
        StmtKind::Execute { name, args } => {
            let bound = session.prepared_sql.bind(name, args)?;
            let d = session.with_schema(move |c| c.describe(&bound.sql)).await?;
            (d.columns, d.param_count)
        }
        _ => (Vec::new(), 0),
    };
    let n = param_count.max(t.params.len());
    let mut param_types: Vec<Option<PgType>> = (0..n)
        .map(|i| {
            client_types
                .get(i)
                .cloned()
                .flatten()
                .and_then(|ty| PgType::from_oid(ty.oid()))
                .filter(|ty| *ty != PgType::Unknown)
        })
        .collect();
    let mut lookups = Vec::new();
    for (i, hint) in t.params.iter().enumerate() {
        if param_types[i].is_some() {
            continue;
        }
        match hint {
            ParamHint::Type(ty) => param_types[i] = Some(*ty),
            ParamHint::Column { .. } | ParamHint::Position { .. } | ParamHint::Routine { .. } => {
                lookups.push((i, hint.clone()))
            }
            ParamHint::Unknown => {}
        }
    }
    let resolved = match &with_types {
        Some((_, types)) => lookups
            .into_iter()
            .map(|(i, _)| (i, types.get(i).copied().flatten()))
            .collect(),
        None => session.column_types(lookups).await?,
    };
    for (i, ty) in resolved {
        param_types[i] = ty;
    }
    // Expressions over table columns (`max(n)`): typed with the schema.
    let choose = ResultTypes::new(columns.len(), &t.columns, t.retype.as_ref());
    let retyped = match choose.wants_schema(|i| columns[i].decl) {
        Some(_) if with_types.is_some() => with_types.map(|(r, _)| r).unwrap_or_default(),
        Some(rt) => {
            let rt = rt.clone();
            session
                .read_schema(move |c| Ok(c.retyped(&rt).types))
                .await?
        }
        None => Vec::new(),
    };
    let result_types: Arc<[PgType]> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| choose.pick(i, c.decl, &retyped).unwrap_or(PgType::Text))
        .collect();
    Ok(Some(Prepared {
        param_types: param_types
            .into_iter()
            .map(|t| t.unwrap_or(PgType::Text))
            .collect(),
        columns,
        result_types,
        translation: t,
        admin: None,
    }))
}

#[async_trait]
impl QueryParser for Parser {
    type Statement = Statement;

    async fn parse_sql<C>(
        &self,
        _client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Statement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        let session = self
            .session
            .get()
            .ok_or_else(|| PgWireError::from(SqlError::new("08P01", "no session").fatal()))?;
        let result = if session.is_admin() {
            crate::admin::prepare(session, sql).await
        } else {
            prepare(session, sql, types).await
        };
        match result {
            Ok(p) => Ok(p.map(Arc::new)),
            Err(e) if e.fatal => {
                session.note_error();
                Err(e.into())
            }
            Err(e) => {
                session.note_error();
                Err(PgWireError::UserError(Box::new(e.into_info_at(sql))))
            }
        }
    }

    fn get_parameter_types(&self, stmt: &Statement) -> PgWireResult<Vec<Type>> {
        Ok(stmt.param_types.iter().map(|t| wire_type(*t)).collect())
    }

    fn get_result_schema(
        &self,
        stmt: &Statement,
        format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        let format = format.cloned().unwrap_or_default();
        Ok(field_infos(&stmt.columns, &stmt.result_types, &format))
    }
}

/// Bind may give 0, 1 or one format code per column/parameter; anything
/// else is a protocol violation (and would index out of range later).
fn check_formats(format: &Format, n: usize, what: &str) -> PgWireResult<()> {
    match format {
        Format::Individual(codes) if codes.len() != n => Err(SqlError::new(
            "08P01",
            format!(
                "bind message has {} {what} formats but there are {n} {what}s",
                codes.len()
            ),
        )
        .into()),
        Format::Individual(codes) if codes.iter().any(|c| *c != 0 && *c != 1) => {
            Err(SqlError::new(
                "22023",
                format!("unsupported format code in bind message: {codes:?}"),
            )
            .into())
        }
        _ => Ok(()),
    }
}

/// Collects a streamed result so a portal can be read in parts while the
/// connection serves other statements.
async fn materialize(resp: QueryResponse) -> PgWireResult<QueryResponse> {
    let QueryResponse {
        command_tag,
        row_schema,
        data_rows,
        ..
    } = resp;
    let rows: Vec<_> = data_rows.collect().await;
    if let Some(Err(_)) = rows.iter().find(|r| r.is_err()) {
        let err = rows.into_iter().find_map(|r| r.err()).expect("found above");
        return Err(err);
    }
    let mut out = QueryResponse::new(row_schema, stream::iter(rows));
    out.set_command_tag(&command_tag);
    Ok(out)
}

#[async_trait]
impl ExtendedQueryHandler for ConnHandler {
    type Statement = Statement;
    type QueryParser = Parser;

    fn query_parser(&self) -> Arc<Parser> {
        self.parser.clone()
    }

    async fn on_parse<C>(&self, client: &mut C, message: Parse) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        super::messages::parse(self, client, message).await
    }

    async fn on_bind<C>(&self, client: &mut C, message: Bind) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        super::messages::bind(client, message).await
    }

    async fn on_execute<C>(&self, client: &mut C, message: Execute) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        super::messages::execute(self, client, message).await
    }

    async fn on_sync<C>(&self, client: &mut C, _message: PgSync) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        client.portal_store().rm_portal(DEFAULT_NAME);
        let status = client.transaction_status();
        if let Ok(session) = self.session() {
            for m in session.reports_due() {
                client.feed(m).await?;
            }
            for n in session.notifications_due() {
                client.feed(super::notify::message(n)).await?;
            }
        }
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                status,
            )))
            .await?;
        self.ctl.end_work();
        Ok(())
    }

    async fn on_close<C>(&self, client: &mut C, message: Close) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        super::messages::close(client, message).await
    }

    /// PostgreSQL answers Describe of a statement that returns no rows with
    /// NoData (pgwire's default sends an empty RowDescription when the
    /// statement has parameters).
    async fn on_describe<C>(&self, client: &mut C, message: Describe) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
        let (stmt, format, with_params) = match message.target_type {
            TARGET_TYPE_BYTE_STATEMENT => match client.portal_store().get_statement(name) {
                Some(Entry::Value(s)) => (Some(s.statement.clone()), Format::UnifiedText, Some(s)),
                Some(Entry::Empty) => (None, Format::UnifiedText, None),
                None => return Err(PgWireError::StatementNotFound(name.to_owned())),
            },
            TARGET_TYPE_BYTE_PORTAL => match client.portal_store().get_portal(name) {
                Some(Entry::Value(p)) => (
                    Some(p.statement.statement.clone()),
                    p.result_column_format.clone(),
                    None,
                ),
                Some(Entry::Empty) => (None, Format::UnifiedText, None),
                // A DECLAREd cursor is a portal too (psycopg describes it).
                None => match self.session()?.cursors.describe(name) {
                    Some((columns, types, binary)) => {
                        let format = if binary {
                            Format::UnifiedBinary
                        } else {
                            Format::UnifiedText
                        };
                        let fields = field_infos(&columns, &types, &format);
                        client
                            .feed(PgWireBackendMessage::RowDescription(RowDescription::new(
                                fields.iter().map(Into::into).collect(),
                            )))
                            .await?;
                        return Ok(());
                    }
                    None => return Err(PgWireError::PortalNotFound(name.to_owned())),
                },
            },
            other => return Err(PgWireError::InvalidTargetType(other)),
        };
        if message.target_type == TARGET_TYPE_BYTE_STATEMENT {
            // Types the client gave at Parse win over ours.
            let oids: Vec<u32> = match &with_params {
                Some(stored) => stored
                    .statement
                    .param_types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        stored
                            .parameter_types
                            .get(i)
                            .cloned()
                            .flatten()
                            .filter(|t| t.oid() != 0)
                            .map(|t| t.oid())
                            .unwrap_or(t.oid())
                    })
                    .collect(),
                None => Vec::new(),
            };
            client
                .feed(PgWireBackendMessage::ParameterDescription(
                    ParameterDescription::new(oids),
                ))
                .await?;
        }
        match stmt {
            Some(s) if !s.columns.is_empty() => {
                check_formats(&format, s.columns.len(), "result")?;
                let fields = field_infos(&s.columns, &s.result_types, &format);
                client
                    .feed(PgWireBackendMessage::RowDescription(RowDescription::new(
                        fields.iter().map(Into::into).collect(),
                    )))
                    .await?;
            }
            _ => {
                client
                    .feed(PgWireBackendMessage::NoData(NoData::new()))
                    .await?
            }
        }
        Ok(())
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Statement>,
        max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let session = self.session()?.clone();
        self.ctl.begin_work();
        let stmt = &portal.statement.statement;
        check_formats(
            &portal.parameter_format,
            portal.parameters.len(),
            "parameter",
        )?;
        check_formats(&portal.result_column_format, stmt.columns.len(), "result")?;
        let mut params = Vec::with_capacity(portal.parameters.len());
        for (i, raw) in portal.parameters.iter().enumerate() {
            let ty = stmt.param_types.get(i).copied().unwrap_or(PgType::Text);
            let binary = portal.parameter_format.is_binary(i);
            // Zone-less timestamptz text is wall-clock time in the session's zone.
            let zone = if binary || ty != PgType::Timestamptz {
                crate::sql::zone::SessionZone::Utc
            } else {
                session.zone()
            };
            match crate::sql::zone::scoped(zone, || decode_param(raw.as_deref(), ty, binary)) {
                Ok(v) => params.push(v),
                Err(e) => {
                    session.note_error();
                    return Err(SqlError::new(e.code, e.message).into());
                }
            }
        }
        if stmt.param_types.contains(&PgType::Timestamp) {
            super::lifted::timestamps_into_zone(
                &session,
                &stmt.translation.params,
                &stmt.param_types,
                &mut params,
            )
            .await?;
        }
        let outcome = if let Some(admin) = &stmt.admin {
            crate::admin::run_prepared(&session, admin, params, &portal.result_column_format).await
        } else {
            session
                .execute(
                    &stmt.translation,
                    params,
                    &portal.result_column_format,
                    Some(stmt.result_types.clone()),
                )
                .await
        };
        for m in session.notices.take() {
            client.feed(m).await?;
        }
        match outcome {
            Ok(Outcome::Rows(resp)) if max_rows > 0 => {
                Ok(Response::Query(materialize(resp).await?))
            }
            Ok(Outcome::Rows(resp)) => Ok(Response::Query(resp)),
            Ok(Outcome::Command(tag)) => Ok(Response::Execution(tag)),
            Ok(Outcome::TxStart(tag)) => Ok(Response::TransactionStart(tag)),
            Ok(Outcome::TxEnd(tag)) => Ok(Response::TransactionEnd(tag)),
            Err(e) => Err(e.into()),
        }
    }
}
