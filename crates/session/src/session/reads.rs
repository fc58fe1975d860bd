//! The native reads on the open budget.

use super::{blocking, no_budget_open, Session};
use crate::error::Result;

impl Session {
    /// Runs the read `method` (its `@actual-app/api` name) on the open budget with
    /// upstream's argument object; resolves to the answer as JSON text.
    pub async fn read(&self, method: String, args: serde_json::Value) -> Result<String> {
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        blocking(method.clone(), move || {
            let open = slot.as_mut().expect("checked above");
            Ok(open.read(&method, &args)?.into_json())
        })
        .await
    }
}
