//! The views of `@actual-app/api` 26.9.0 (`server/aql/schema/index.ts` through
//! `makeViews`), word for word. They are created as TEMP views when a budget is opened:
//! unqualified names find the temp schema first, so reads see these definitions
//! whatever version of the app last wrote the file's own views, and the file is not
//! changed.

/// `(name, SELECT ...)` in dependency order.
pub const VIEWS: &[(&str, &str)] = &[
    (
        "v_payees",
        r#"SELECT _.id, COALESCE(__accounts.name, _.name) AS name, _.transfer_acct, _.tombstone, _.favorite, _.learn_categories FROM payees _
          LEFT JOIN accounts __accounts ON (_.transfer_acct = __accounts.id AND __accounts.tombstone = 0)
          -- We never want to show transfer payees that are pointing to deleted accounts.
          -- Either this is not a transfer payee, if the account exists
          WHERE _.transfer_acct IS NULL OR __accounts.id IS NOT NULL"#,
    ),
    (
        "v_categories",
        r#"SELECT _.id, _.name, _.is_income, _.hidden, _.cat_group AS "group", _.goal_def, _.cleanup_def, _.template_settings, _.sort_order, _.tombstone FROM categories _"#,
    ),
    (
        "v_schedules",
        r#"SELECT _.id, _.name, _.rule, 
            CASE
              WHEN _nd.local_next_date_ts = _nd.base_next_date_ts THEN _nd.local_next_date
              ELSE _nd.base_next_date
            END
           AS next_date, _.completed, _.posts_transaction, _.custom_upcoming_length, _.tombstone, _.sort_order, pm.targetId AS _payee, json_extract(_rules.conditions, _paths.account || '.value') AS _account, json_extract(_rules.conditions, _paths.amount || '.value') AS _amount, json_extract(_rules.conditions, _paths.amount || '.op') AS _amountOp, json_extract(_rules.conditions, _paths.date || '.value') AS _date, _rules.conditions AS _conditions, _rules.actions AS _actions, EXISTS (
            SELECT 1
            FROM json_each(_rules.actions) action
            WHERE json_extract(action.value, '$.options.splitIndex') > 0
          ) AS _has_splits FROM schedules _
        LEFT JOIN schedules_next_date _nd ON _nd.schedule_id = _.id
        LEFT JOIN schedules_json_paths _paths ON _paths.schedule_id = _.id
        LEFT JOIN rules _rules ON _rules.id = _.rule
        LEFT JOIN payee_mapping pm ON pm.id = json_extract(_rules.conditions, _paths.payee || '.value')"#,
    ),
    (
        "v_transactions_internal",
        r#"SELECT _.id, _.isParent AS is_parent, _.isChild AS is_child, CASE WHEN _.isChild = 0 THEN NULL ELSE _.parent_id END AS parent_id, _.acct AS account, CASE WHEN _.isParent = 1 THEN NULL ELSE cm.transferId END AS category, IFNULL(_.amount, 0) AS amount, pm.targetId AS payee, _.notes, _.date, _.financial_id AS imported_id, _.error, _.imported_description AS imported_payee, _.starting_balance_flag, _.transferred_id AS transfer_id, _.sort_order, _.cleared, _.reconciled, _.tombstone, _.schedule, _.raw_synced_data FROM transactions _
          LEFT JOIN category_mapping cm ON cm.id = _.category
          LEFT JOIN payee_mapping pm ON pm.id = _.description
          WHERE
           _.date IS NOT NULL AND
           _.acct IS NOT NULL AND
           (_.isChild = 0 OR _.parent_id IS NOT NULL)"#,
    ),
    (
        "v_transactions_internal_alive",
        r#"SELECT _.* FROM v_transactions_internal _
        LEFT JOIN transactions t2 ON (_.is_child = 1 AND t2.id = _.parent_id)
        WHERE IFNULL(_.tombstone, 0) = 0 AND (_.is_child = 0 OR t2.tombstone = 0)"#,
    ),
    (
        "v_transactions",
        r#"SELECT _.id, _.is_parent, _.is_child, _.parent_id, a.id AS account, c.id AS category, _.amount, p.id AS payee, _.notes, _.date, _.imported_id, _.error, _.imported_payee, _.starting_balance_flag, _.transfer_id, _.sort_order, _.cleared, _.reconciled, _.tombstone, _.schedule, _.raw_synced_data FROM v_transactions_internal_alive _
          LEFT JOIN payees p ON (p.id = _.payee AND p.tombstone = 0)
          LEFT JOIN categories c ON (c.id = _.category AND c.tombstone = 0)
          LEFT JOIN accounts a ON (a.id = _.account AND a.tombstone = 0)
          ORDER BY _.date desc, _.starting_balance_flag, _.sort_order desc, _.id"#,
    ),
];

/// Creates [`VIEWS`] in the connection's temp schema.
pub fn install(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    for (name, select) in VIEWS {
        conn.execute_batch(&format!(
            "DROP VIEW IF EXISTS temp.{name}; CREATE TEMP VIEW {name} AS {select};"
        ))?;
    }
    Ok(())
}
