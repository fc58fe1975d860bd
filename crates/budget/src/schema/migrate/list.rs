//! The table of upstream 26.9.0's migrations, in order: each SQL file as shipped
//! (`crates/budget/migrations/`, copied by `scripts/gen-migrations.js`), each JavaScript
//! one ported in [`super::javascript`].

use rusqlite::Connection;

use super::javascript::{self, Context};
use crate::foundation::error::Result;

/// One upstream migration.
pub struct Migration {
    pub id: i64,
    pub(super) step: Step,
}

pub(super) enum Step {
    /// A SQL file, run as a script.
    Sql(&'static str),
    /// A JavaScript migration, ported.
    JavaScript(fn(&Connection, &Context) -> Result<()>),
}

macro_rules! sql {
    ($id:literal, $file:literal) => {
        Migration {
            id: $id,
            step: Step::Sql(include_str!(concat!("../../../migrations/", $file))),
        }
    };
}

macro_rules! js {
    ($id:literal, $name:ident) => {
        Migration {
            id: $id,
            step: Step::JavaScript(javascript::$name),
        }
    };
}

/// Every migration `@actual-app/core` 26.9.0 ships, ascending by id.
pub const MIGRATIONS: &[Migration] = &[
    sql!(1548957970627, "1548957970627_remove-db-version.sql"),
    sql!(1550601598648, "1550601598648_payees.sql"),
    sql!(
        1555786194328,
        "1555786194328_remove_category_group_unique.sql"
    ),
    sql!(1561751833510, "1561751833510_indexes.sql"),
    sql!(1567699552727, "1567699552727_budget.sql"),
    sql!(1582384163573, "1582384163573_cleared.sql"),
    sql!(1597756566448, "1597756566448_rules.sql"),
    sql!(1608652596043, "1608652596043_parent_field.sql"),
    sql!(1608652596044, "1608652596044_trans_views.sql"),
    sql!(1612625548236, "1612625548236_optimize.sql"),
    sql!(1614782639336, "1614782639336_trans_views2.sql"),
    sql!(1615745967948, "1615745967948_meta.sql"),
    sql!(1616167010796, "1616167010796_accounts_order.sql"),
    sql!(1618975177358, "1618975177358_schedules.sql"),
    js!(1632571489012, remove_cache),
    sql!(1679728867040, "1679728867040_rules_conditions.sql"),
    sql!(1681115033845, "1681115033845_add_schedule_name.sql"),
    sql!(1682974838138, "1682974838138_remove_payee_rules.sql"),
    sql!(1685007876842, "1685007876842_add_category_hidden.sql"),
    sql!(1686139660866, "1686139660866_remove_account_type.sql"),
    sql!(1688749527273, "1688749527273_transaction_filters.sql"),
    sql!(1688841238000, "1688841238000_add_account_type.sql"),
    sql!(
        1691233396000,
        "1691233396000_add_schedule_next_date_tombstone.sql"
    ),
    sql!(1694438752000, "1694438752000_add_goal_targets.sql"),
    sql!(1697046240000, "1697046240000_add_reconciled.sql"),
    sql!(1704572023730, "1704572023730_add_account_sync_source.sql"),
    sql!(
        1704572023731,
        "1704572023731_add_missing_goCardless_sync_source.sql"
    ),
    sql!(1707267033000, "1707267033000_reports.sql"),
    sql!(1712784523000, "1712784523000_unhide_input_group.sql"),
    sql!(1716359441000, "1716359441000_include_current.sql"),
    sql!(1720310586000, "1720310586000_link_transfer_schedules.sql"),
    sql!(1720664867241, "1720664867241_add_payee_favorite.sql"),
    sql!(1720665000000, "1720665000000_goal_context.sql"),
    js!(1722717601000, reports_move_selected_categories),
    js!(1722804019000, create_dashboard_table),
    js!(1723665565000, prefs),
    sql!(1730744182000, "1730744182000_fix_dashboard_table.sql"),
    sql!(1736640000000, "1736640000000_custom_report_sorting.sql"),
    sql!(
        1737158400000,
        "1737158400000_add_learn_categories_to_payees.sql"
    ),
    sql!(1738491452000, "1738491452000_sorting_rename.sql"),
    sql!(1739139550000, "1739139550000_bank_sync_page.sql"),
    sql!(1740506588539, "1740506588539_add_last_reconciled_at.sql"),
    sql!(1745425408000, "1745425408000_update_budgetType_pref.sql"),
    sql!(1749799110000, "1749799110000_add_tags.sql"),
    sql!(1749799110001, "1749799110001_tags_tombstone.sql"),
    sql!(
        1754611200000,
        "1754611200000_add_category_template_settings.sql"
    ),
    sql!(
        1759260219000,
        "1759260219000_add_trim_interval_report_setting.sql"
    ),
    sql!(
        1759842823172,
        "1759842823172_add_isGlobal_to_preferences.sql"
    ),
    sql!(
        1762178745667,
        "1762178745667_rename_csv_skip_lines_pref.sql"
    ),
    js!(1765518577215, multiple_dashboards),
    sql!(1768872504000, "1768872504000_add_payee_locations.sql"),
    sql!(
        1769000000000,
        "1769000000000_add_custom_upcoming_length.sql"
    ),
    sql!(
        1778510362740,
        "1778510362740_add_cleanup_groups_and_def.sql"
    ),
    sql!(
        1780099200000,
        "1780099200000_add_show_trend_lines_report_setting.sql"
    ),
    sql!(1780327681000, "1780327681000_add_tags_hidden.sql"),
    sql!(1780606215000, "1780606215000_add_bank_sync_status.sql"),
    sql!(1780606215001, "1780606215001_add_performance_indexes.sql"),
    sql!(1783004650757, "1783004650757_schedule_sort_order.sql"),
    sql!(1787013118115, "1787013118115_add_account_groups.sql"),
];
