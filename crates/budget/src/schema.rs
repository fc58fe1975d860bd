//! Which budget databases the native reads were written for: those whose applied
//! migrations are exactly the ones `@actual-app/api` 26.9.0 ships. Upstream migrates
//! an older database when it loads it and refuses a newer one
//! (`out-of-sync-migrations`); this crate does neither, so the caller hands such a
//! budget to the official engine or rejects the call.

use crate::{BudgetError, Result};

/// The migrations of `@actual-app/core` 26.9.0 (`migrations/`), in order.
pub const KNOWN_MIGRATIONS: &[i64] = &[
    1548957970627,
    1550601598648,
    1555786194328,
    1561751833510,
    1567699552727,
    1582384163573,
    1597756566448,
    1608652596043,
    1608652596044,
    1612625548236,
    1614782639336,
    1615745967948,
    1616167010796,
    1618975177358,
    1632571489012,
    1679728867040,
    1681115033845,
    1682974838138,
    1685007876842,
    1686139660866,
    1688749527273,
    1688841238000,
    1691233396000,
    1694438752000,
    1697046240000,
    1704572023730,
    1704572023731,
    1707267033000,
    1712784523000,
    1716359441000,
    1720310586000,
    1720664867241,
    1720665000000,
    1722717601000,
    1722804019000,
    1723665565000,
    1730744182000,
    1736640000000,
    1737158400000,
    1738491452000,
    1739139550000,
    1740506588539,
    1745425408000,
    1749799110000,
    1749799110001,
    1754611200000,
    1759260219000,
    1759842823172,
    1762178745667,
    1765518577215,
    1768872504000,
    1769000000000,
    1778510362740,
    1780099200000,
    1780327681000,
    1780606215000,
    1780606215001,
    1783004650757,
    1787013118115,
];

/// A migration upstream replaces when it finds it applied (`patchBadMigrations`).
const BAD_FILTERS_MIGRATION: i64 = 1685375406832;
const NEW_FILTERS_MIGRATION: i64 = 1688749527273;

/// Checks `applied` (ascending, as `__migrations__` lists them) against
/// [`KNOWN_MIGRATIONS`].
pub fn check_migrations(applied: &[i64]) -> Result<()> {
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
    if applied == KNOWN_MIGRATIONS {
        return Ok(());
    }
    // Upstream's rule for "newer": more applied than known, or an applied id it does
    // not know at that position.
    let newer = applied.len() > KNOWN_MIGRATIONS.len()
        || applied.iter().zip(KNOWN_MIGRATIONS).any(|(a, k)| a != k);
    Err(if newer {
        BudgetError::UnsupportedBudget {
            code: "out-of-sync-migrations",
            message: "this budget was changed by a newer version of Actual than the one this \
                      package reads (@actual-app/api 26.9.0)"
                .into(),
        }
    } else {
        BudgetError::UnsupportedBudget {
            code: "budget-needs-migration",
            message: format!(
                "this budget was last opened by an older version of Actual ({} of {} \
                 migrations applied); open it once in Actual 26.9 or later, or install \
                 @actual-app/api to have it migrated",
                applied.len(),
                KNOWN_MIGRATIONS.len()
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_list_passes_older_and_newer_are_told_apart() {
        assert!(check_migrations(KNOWN_MIGRATIONS).is_ok());
        let older = &KNOWN_MIGRATIONS[..KNOWN_MIGRATIONS.len() - 1];
        assert_eq!(
            check_migrations(older).unwrap_err().code(),
            "budget-needs-migration"
        );
        let mut newer = KNOWN_MIGRATIONS.to_vec();
        newer.push(1_900_000_000_000);
        assert_eq!(
            check_migrations(&newer).unwrap_err().code(),
            "out-of-sync-migrations"
        );
        let mut unknown = KNOWN_MIGRATIONS[..10].to_vec();
        unknown.push(1_600_000_000_001);
        assert_eq!(
            check_migrations(&unknown).unwrap_err().code(),
            "out-of-sync-migrations"
        );
    }

    #[test]
    fn the_patched_filters_migration_counts_as_its_replacement() {
        let patched: Vec<i64> = KNOWN_MIGRATIONS
            .iter()
            .map(|&id| {
                if id == NEW_FILTERS_MIGRATION {
                    BAD_FILTERS_MIGRATION
                } else {
                    id
                }
            })
            .collect();
        let mut sorted = patched.clone();
        sorted.sort_unstable();
        assert!(check_migrations(&sorted).is_ok());
    }
}
