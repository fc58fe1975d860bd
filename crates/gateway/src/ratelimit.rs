//! Failed token checks per client address: after `max` failures within `window`,
//! every token-bearing request from that address gets 429 until the window ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const DEFAULT_MAX_FAILURES: u32 = 10;
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);
const MAX_TRACKED: usize = 100_000;

pub struct FailureLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl FailureLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        FailureLimiter {
            max: max.max(1),
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait when `ip` is blocked at `now`.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> Option<u64> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (start, count) = *seen.get(&ip)?;
        let end = start + self.window;
        (count >= self.max && now < end).then(|| (end - now).as_secs_f64().ceil().max(1.0) as u64)
    }

    pub fn record_failure(&self, ip: IpAddr, now: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_TRACKED {
            let window = self.window;
            seen.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let slot = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(slot.0) >= self.window {
            *slot = (now, 0);
        }
        slot.1 = slot.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_and_recovers() {
        let lim = FailureLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(lim.blocked(a, t0), None, "after {i}");
            lim.record_failure(a, t0 + Duration::from_secs(i));
        }
        assert_eq!(lim.blocked(a, t0 + Duration::from_secs(10)), Some(50));
        assert_eq!(lim.blocked(b, t0), None, "per address");
        assert_eq!(lim.blocked(a, t0 + Duration::from_secs(60)), None);
        // A new window starts from zero.
        lim.record_failure(a, t0 + Duration::from_secs(61));
        assert_eq!(lim.blocked(a, t0 + Duration::from_secs(62)), None);
    }
}
