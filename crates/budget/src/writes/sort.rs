//! Sort orders of new rows (`server/db/sort.ts` shoveSortOrders, `SORT_INCREMENT`).
//! A NULL sort order counts as 0, as JavaScript's arithmetic on null does.

/// `SORT_INCREMENT`.
pub const SORT_INCREMENT: f64 = 16384.0;

/// One row's id and sort order, in the order the rows are listed.
pub type Ordered = (String, f64);

/// `shoveSortOrders(items)` without a target: after the last item.
pub fn after_last(last: Option<f64>) -> f64 {
    last.unwrap_or(0.0) + SORT_INCREMENT
}

/// `shoveSortOrders(items, targetId)`: the sort order that puts a new row before the
/// target (at the end when the target is not listed), and the items shoved to make
/// room (when the target's gap to the item before it is 2 or less).
pub fn before(items: &[Ordered], target: Option<&str>) -> (Vec<Ordered>, f64) {
    let Some(to) = target.and_then(|t| items.iter().position(|(id, _)| id == t)) else {
        return (Vec::new(), after_last(items.last().map(|(_, o)| *o)));
    };
    let below = to.checked_sub(1).map(|i| items[i].1);
    let mut updates = Vec::new();
    if items[to].1 - below.unwrap_or(0.0) <= 2.0 {
        let mut order = items[to].1.floor() + SORT_INCREMENT;
        for (id, current) in &items[to..] {
            // Items already far enough up keep their place (there may be large gaps).
            if order <= *current {
                break;
            }
            updates.push((id.clone(), order));
            order += SORT_INCREMENT;
        }
    }
    // `midpoint`, over the orders as they were before the shove.
    let sort_order = match below {
        None => items[to].1 / 2.0,
        Some(b) => (b + items[to].1) / 2.0,
    };
    (updates, sort_order)
}

/// After the last live row of `table` by sort order (then id), as upstream places a new
/// category group or account group.
pub fn after_last_live(
    conn: &rusqlite::Connection,
    table: &str,
) -> crate::foundation::error::Result<f64> {
    let sql = format!(
        "SELECT sort_order FROM {table} WHERE tombstone = 0 ORDER BY sort_order DESC, id DESC LIMIT 1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    let last = match rows.next()? {
        Some(r) => r.get::<_, Option<f64>>(0)?,
        None => None,
    };
    Ok(after_last(last))
}

/// The rows of `sql` (id, sort_order) in its order.
pub fn ordered(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> crate::foundation::error::Result<Vec<Ordered>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| {
        let order: Option<f64> = r.get(1)?;
        Ok((r.get::<_, String>(0)?, order.unwrap_or(0.0)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(orders: &[f64]) -> Vec<Ordered> {
        orders
            .iter()
            .enumerate()
            .map(|(i, o)| (format!("r{i}"), *o))
            .collect()
    }

    #[test]
    fn appends_after_the_last() {
        assert_eq!(before(&[], None), (vec![], SORT_INCREMENT));
        assert_eq!(
            before(&items(&[5.0, 40000.0]), Some("missing")).1,
            40000.0 + SORT_INCREMENT
        );
    }

    #[test]
    fn halves_the_first_and_shoves_when_there_is_no_room() {
        assert_eq!(
            before(&items(&[4096.0, 8192.0]), Some("r0")),
            (vec![], 2048.0)
        );
        let (updates, order) = before(&items(&[2.0, 3.0, 50000.0]), Some("r0"));
        assert_eq!(order, 1.0);
        assert_eq!(
            updates,
            vec![
                ("r0".into(), 2.0 + SORT_INCREMENT),
                ("r1".into(), 2.0 + 2.0 * SORT_INCREMENT)
            ]
        );
    }
}
