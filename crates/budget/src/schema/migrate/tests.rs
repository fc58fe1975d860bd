use super::*;

fn known() -> Vec<i64> {
    known_ids().collect()
}

fn code(e: BudgetError) -> String {
    e.code().to_string()
}

#[test]
fn the_table_holds_upstreams_59_migrations_in_order() {
    let ids = known();
    assert_eq!(ids.len(), 59);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(ids.first(), Some(&1548957970627));
    assert_eq!(ids.last(), Some(&1787013118115));
}

#[test]
fn a_current_budget_has_nothing_to_do() {
    assert_eq!(
        plan(&known()).unwrap(),
        Plan {
            pending: vec![],
            unknown: vec![]
        }
    );
}

#[test]
fn an_older_budget_runs_the_rest_in_order() {
    let ids = known();
    let plan = plan(&ids[..36]).unwrap();
    assert_eq!(plan.pending, ids[36..].to_vec());
    assert!(plan.unknown.is_empty());
    assert_eq!(super::plan(&[]).unwrap().pending, ids);
}

#[test]
fn newer_additive_migrations_are_accepted() {
    let mut applied = known();
    applied.extend([1788468782000, 1799000000000]);
    let plan = plan(&applied).unwrap();
    assert!(plan.pending.is_empty());
    assert_eq!(plan.unknown, vec![1788468782000, 1799000000000]);
}

#[test]
fn an_unknown_migration_before_the_cutoff_is_out_of_sync() {
    let mut applied = known();
    applied.push(1600000000000);
    assert_eq!(code(plan(&applied).unwrap_err()), "out-of-sync-migrations");
}

#[test]
fn a_newer_migration_beside_a_missing_known_one_is_out_of_sync() {
    let mut applied = known();
    applied.remove(40);
    applied.push(1788468782000);
    assert_eq!(code(plan(&applied).unwrap_err()), "out-of-sync-migrations");
}

#[test]
fn a_gap_before_the_cutoff_is_out_of_sync() {
    let mut applied = known()[..30].to_vec();
    applied.remove(10);
    assert_eq!(code(plan(&applied).unwrap_err()), "out-of-sync-migrations");
}

#[test]
fn the_patched_filters_migration_counts_as_its_replacement() {
    let applied: Vec<i64> = known()
        .into_iter()
        .map(|id| {
            if id == NEW_FILTERS_MIGRATION {
                BAD_FILTERS_MIGRATION
            } else {
                id
            }
        })
        .collect();
    assert!(plan(&applied).unwrap().pending.is_empty());
}

#[test]
fn transaction_lines_are_left_out() {
    let sql = "BEGIN TRANSACTION;\n\nCREATE TABLE t (id TEXT);\n  END;\nCOMMIT;\nCOMMIT\n";
    assert_eq!(
        without_transaction_lines(sql),
        "\nCREATE TABLE t (id TEXT);\n  END;"
    );
}

const INIT: &str = include_str!("../../../migrations/init.sql");

fn new_budget() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(INIT).unwrap();
    conn
}

fn schema(conn: &Connection) -> Vec<(String, Option<String>)> {
    conn.prepare("SELECT name, sql FROM sqlite_master ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_new_budget_runs_every_migration_once() {
    let conn = new_budget();
    let mut metadata = Map::new();
    metadata.insert("budgetType".into(), "report".into());
    metadata.insert("hideFraction".into(), true.into());
    metadata.insert("budgetName".into(), "not synced".into());
    let migrated = migrate(&conn, &metadata).unwrap();
    assert_eq!(migrated.ran, known());
    assert!(migrated.views);
    let applied: Vec<i64> = conn
        .prepare("SELECT id FROM __migrations__ ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(applied, known());
    // The prefs migration copies synced prefs; a later SQL one renames budget types.
    let prefs: Vec<(String, String)> = conn
        .prepare("SELECT id, value FROM preferences ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        prefs,
        vec![
            ("budgetType".to_string(), "tracking".to_string()),
            ("hideFraction".to_string(), "true".to_string())
        ]
    );
    // No custom report: upstream's default widgets, all on one "Main" page.
    let (widgets, pages): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM dashboard WHERE dashboard_page_id = (SELECT id FROM dashboard_pages WHERE name = 'Main')),
                    (SELECT count(*) FROM dashboard_pages)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((widgets, pages), (12, 1));
    let hash: String = conn
        .query_row(
            "SELECT value FROM __meta__ WHERE key = 'view-hash'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hash, views_hash());
    // Done once: a second open changes nothing.
    let before = schema(&conn);
    assert_eq!(migrate(&conn, &metadata).unwrap(), Migrated::default());
    assert_eq!(schema(&conn), before);
}

#[test]
fn a_failing_migration_leaves_the_budget_as_it_was() {
    let conn = new_budget();
    let ids = known();
    migrate_to(&conn, 40);
    let before = schema(&conn);
    // A table one of the pending migrations creates is already there.
    conn.execute_batch("CREATE TABLE tags (id TEXT PRIMARY KEY)")
        .unwrap();
    let with_table = schema(&conn);
    let err = migrate(&conn, &Map::new()).unwrap_err();
    assert_eq!(err.code(), "migration-failed");
    assert!(err.to_string().contains("1749799110000"), "{err}");
    assert_eq!(schema(&conn), with_table);
    assert_ne!(schema(&conn), before);
    let applied: i64 = conn
        .query_row("SELECT count(*) FROM __migrations__", [], |r| r.get(0))
        .unwrap();
    assert_eq!(applied, 40);
    assert!(conn.is_autocommit());
    let _ = ids;
}

/// Runs the first `n` migrations the way an older release left the budget.
fn migrate_to(conn: &Connection, n: usize) {
    let context = Context {
        metadata: &Map::new(),
    };
    for m in &MIGRATIONS[..n] {
        match &m.step {
            Step::Sql(sql) => conn.execute_batch(sql).unwrap(),
            Step::JavaScript(run) => run(conn, &context).unwrap(),
        }
        conn.execute("INSERT INTO __migrations__ (id) VALUES (?)", [m.id])
            .unwrap();
    }
}

#[test]
fn the_views_script_is_makeviews_output() {
    let script = views_script();
    assert!(script.starts_with(
        "\n        DROP VIEW IF EXISTS v_payees;\n        CREATE VIEW v_payees AS SELECT"
    ));
    assert!(script.ends_with(";\n      "));
    assert_eq!(views_hash().len(), 32);
}
