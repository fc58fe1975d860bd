//! Budgets from other Actual versions. An older budget is brought to 26.9.0's schema as
//! upstream 26.9.0 does when it loads one (`server/migrate/migrations.ts` `migrate`,
//! then `server/update.ts` `updateViews`), but in one transaction: a failure or a killed
//! process leaves the file as it was. A budget touched by a newer release is accepted
//! under Actual's cross-version contract (`migrations/README.md`, "Cross-version sync",
//! and `checkDatabaseValidity` since 26.10): migrations after [`ADDITIVE_ONLY_CUTOFF`]
//! only add tables, nullable columns and indexes, so what 26.9.0 knows still reads and
//! writes the same way.

mod javascript;
mod list;

use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::{views, BudgetError, Result};

pub use list::MIGRATIONS;

/// Migrations with ids after this one are additive-only (upstream `ADDITIVE_ONLY_CUTOFF`).
pub const ADDITIVE_ONLY_CUTOFF: i64 = 1780606215001;

/// A migration upstream replaces when it finds it applied (`patchBadMigrations`).
const BAD_FILTERS_MIGRATION: i64 = 1685375406832;
const NEW_FILTERS_MIGRATION: i64 = 1688749527273;

/// The `__meta__` key under which upstream keeps the hash of the views it last wrote.
const VIEW_HASH_KEY: &str = "view-hash";

/// One upstream migration.
pub struct Migration {
    pub id: i64,
    step: Step,
}

enum Step {
    /// A SQL file, run as a script.
    Sql(&'static str),
    /// A JavaScript migration, ported.
    JavaScript(fn(&Connection, &Context) -> Result<()>),
}

/// What a JavaScript migration may read besides the database.
pub struct Context<'a> {
    /// `metadata.json` as the budget's loader sees it (the `prefs` migration copies the
    /// synced preferences out of it).
    pub metadata: &'a Map<String, Value>,
}

/// Where a database stands against the migrations this crate knows.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// Known migrations not applied yet, in the order they run.
    pub pending: Vec<i64>,
    /// Applied migrations this crate does not know: a newer release's additive ones.
    pub unknown: Vec<i64>,
}

/// The ids of [`MIGRATIONS`].
pub fn known_ids() -> impl Iterator<Item = i64> {
    MIGRATIONS.iter().map(|m| m.id)
}

fn out_of_sync(why: &str) -> BudgetError {
    BudgetError::UnsupportedBudget {
        code: "out-of-sync-migrations",
        message: format!(
            "this budget's applied migrations do not fit this package's (Actual 26.9.0): {why}"
        ),
    }
}

/// Upstream's `checkDatabaseValidity` (26.10's cross-version rules) and `getPending`
/// over `applied` (as `__migrations__` lists them; the bad filters migration counts as
/// its replacement, as `patchBadMigrations` makes it).
pub fn plan(applied: &[i64]) -> Result<Plan> {
    let mut applied: Vec<i64> = applied
        .iter()
        .map(|&id| {
            if id == BAD_FILTERS_MIGRATION {
                NEW_FILTERS_MIGRATION
            } else {
                id
            }
        })
        .collect();
    applied.sort_unstable();
    applied.dedup();
    let known: Vec<i64> = known_ids().collect();
    let is_known = |id: &i64| known.binary_search(id).is_ok();
    let unknown: Vec<i64> = applied.iter().copied().filter(|id| !is_known(id)).collect();
    if unknown.iter().any(|&id| id <= ADDITIVE_ONLY_CUTOFF) {
        return Err(out_of_sync(
            "an unknown migration from before the additive-only era (a corrupt budget, or one \
             from an unreleased version)",
        ));
    }
    let known_applied: Vec<i64> = applied.iter().copied().filter(is_known).collect();
    if !unknown.is_empty() && known_applied.len() != known.len() {
        return Err(out_of_sync(
            "a newer version's migration is applied but one this version knows is not",
        ));
    }
    let pre_known: Vec<i64> = known
        .iter()
        .copied()
        .filter(|&id| id <= ADDITIVE_ONLY_CUTOFF)
        .collect();
    let pre_applied: Vec<i64> = known_applied
        .iter()
        .copied()
        .filter(|&id| id <= ADDITIVE_ONLY_CUTOFF)
        .collect();
    if applied.iter().any(|&id| id > ADDITIVE_ONLY_CUTOFF) && pre_applied.len() != pre_known.len() {
        return Err(out_of_sync(
            "a migration from after the additive-only cutoff is applied next to a missing earlier one",
        ));
    }
    if pre_applied.iter().zip(&pre_known).any(|(a, k)| a != k) {
        return Err(out_of_sync(
            "the applied migrations skip one this version knows",
        ));
    }
    let pending = known
        .iter()
        .copied()
        .filter(|id| applied.binary_search(id).is_err())
        .collect();
    Ok(Plan { pending, unknown })
}

/// Upstream's `makeViews` output for [`views::VIEWS`], byte for byte: the script it runs
/// and hashes.
pub fn views_script() -> String {
    views::VIEWS
        .iter()
        .map(|(name, select)| {
            format!(
                "\n        DROP VIEW IF EXISTS {name};\n        CREATE VIEW {name} AS {select};\n      "
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Upstream's view hash: the hex MD5 of [`views_script`].
pub fn views_hash() -> String {
    use md5::{Digest, Md5};
    Md5::digest(views_script().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A SQL migration without its own `BEGIN TRANSACTION;` / `COMMIT;` lines: every
/// pending migration runs inside the one transaction [`migrate`] opens.
fn without_transaction_lines(sql: &str) -> String {
    sql.lines()
        .filter(|line| {
            let t = line.trim().trim_end_matches(';').trim();
            !(t.eq_ignore_ascii_case("BEGIN TRANSACTION")
                || t.eq_ignore_ascii_case("BEGIN")
                || t.eq_ignore_ascii_case("COMMIT"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The view hash upstream last stored (`__meta__` exists from migration 1615745967948 on).
fn stored_view_hash(conn: &Connection) -> Result<Option<String>> {
    if !actual_sync::db::table_exists(conn, "__meta__")? {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT value FROM __meta__ WHERE key = ?",
            [VIEW_HASH_KEY],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// What [`migrate`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// The migrations it ran, in order.
    pub ran: Vec<i64>,
    /// Whether it wrote upstream 26.9.0's views (and their hash) into the file.
    pub views: bool,
}

/// Upstream 26.9.0's `updateVersion` as a budget loads: replaces the bad filters
/// migration, runs every pending migration, and writes its views when their hash
/// differs — all in one transaction (`BEGIN IMMEDIATE`, or a savepoint inside the
/// caller's), so nothing is half done. A budget a newer release touched is checked and
/// left as it is (its views are that release's). Nothing is written when there is
/// nothing to do.
pub fn migrate(conn: &Connection, metadata: &Map<String, Value>) -> Result<Migrated> {
    let applied = actual_sync::db::applied_migrations(conn)?;
    let plan = plan(&applied)?;
    let hash = views_hash();
    let views_stale =
        plan.unknown.is_empty() && stored_view_hash(conn)?.as_deref() != Some(hash.as_str());
    if plan.pending.is_empty() && !views_stale && !applied.contains(&BAD_FILTERS_MIGRATION) {
        return Ok(Migrated::default());
    }
    actual_sync::db::atomically(conn, "actual_migrate", || {
        run_pending(conn, metadata, &plan, views_stale, &hash)
    })
}

fn run_pending(
    conn: &Connection,
    metadata: &Map<String, Value>,
    plan: &Plan,
    views_stale: bool,
    hash: &str,
) -> Result<Migrated> {
    conn.execute(
        "DELETE FROM __migrations__ WHERE id = ?",
        [BAD_FILTERS_MIGRATION],
    )
    .and_then(|deleted| {
        if deleted > 0 {
            conn.execute(
                "INSERT INTO __migrations__ (id) VALUES (?)",
                [NEW_FILTERS_MIGRATION],
            )?;
        }
        Ok(())
    })?;
    let context = Context { metadata };
    let mut migrated = Migrated::default();
    for id in &plan.pending {
        let migration = MIGRATIONS
            .iter()
            .find(|m| m.id == *id)
            .expect("planned from MIGRATIONS");
        let ran = match &migration.step {
            Step::Sql(sql) => conn
                .execute_batch(&without_transaction_lines(sql))
                .map_err(BudgetError::from),
            Step::JavaScript(run) => run(conn, &context),
        };
        ran.map_err(|e| BudgetError::UnsupportedBudget {
            code: "migration-failed",
            message: format!("migration {id} could not be applied to this budget: {e}"),
        })?;
        conn.execute("INSERT INTO __migrations__ (id) VALUES (?)", [id])?;
        migrated.ran.push(*id);
    }
    if !migrated.ran.is_empty() {
        // Messages a newer release sent may fit the schema now (26.10 replays after
        // migrating, as the budget loads).
        actual_sync::pending::replay(conn)?;
    }
    if views_stale {
        conn.execute_batch(&views_script())?;
        conn.execute(
            "INSERT OR REPLACE INTO __meta__ (key, value) VALUES (?, ?)",
            [VIEW_HASH_KEY, hash],
        )?;
        migrated.views = true;
    }
    Ok(migrated)
}

#[cfg(test)]
mod tests;
