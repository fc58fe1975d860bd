//! The budget model on an open Actual Budget database, in pure Rust: the everyday API's
//! reads and writes, answering exactly what `@actual-app/api` 26.9.0 answers (same
//! values, field names, key order, sorting and null/boolean/date conventions).
//!
//! Every method is found by its `@actual-app/api` name in [`methods`] and takes the
//! argument object upstream's wrapper hands its handler (`getTransactions(a, s, e)` ->
//! `{ accountId, startDate, endDate }`), with JavaScript `Date`s as `{ "$date": ms }`.
//! Results are JSON values in upstream's shape; the caller serialises them.
//!
//! The modules, from the ground up (each imports only those before it):
//! - [`foundation`]: the open budget and its writer, the error type, changes as CRDT
//!   messages, dates, JavaScript value semantics;
//! - [`schema`]: migrations, views, the tables' fields;
//! - [`aql`]: ActualQL: its schema, the compiler to SQL, the executors;
//! - [`reads`]: the everyday reads;
//! - [`rules`]: stored rules, running them, recurrence;
//! - [`schedules`]: schedules as upstream reads them;
//! - [`writes`]: every write (transactions, rules, schedules and the schedule service,
//!   the other families);
//! - [`query`]: ActualQL queries (`aqlQuery`, `runQuery`);
//! - [`bank_sync`], `runBankSync`;
//! - [`methods`]: the method table, and [`prepare`], which makes a database ready.
//!
//! Nothing here knows about Node, HTTP or the sync protocol.

pub mod aql;
pub mod bank_sync;
pub mod foundation;
pub mod methods;
pub mod prepare;
pub mod query;
pub mod reads;
pub mod rules;
pub mod schedules;
pub mod schema;
pub mod writes;

pub use foundation::budget::{Answer, Budget, Writer};
pub use foundation::changes::Changes;
pub use foundation::error::{BudgetError, Result};
pub use methods::{check_import_mode, check_schedule_service, is_read, is_write, READS, WRITES};
pub use prepare::prepare;
