//! ActualQL's schema and compiler (`server/aql/`): the tables and fields a query may
//! name, the compiler to SQL, the SQL functions it calls, and what it makes of a
//! filter's JavaScript values. Running queries is [`crate::query`].

pub mod compiler;
pub mod diacritics;
pub mod fail;
pub mod literals;
pub mod schema;
pub mod sql_functions;
pub mod state;
