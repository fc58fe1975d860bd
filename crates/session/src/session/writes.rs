//! The native writes on the open budget, and who may write.

use super::{blocking, no_budget_open, Session};
use crate::error::{ErrorKind, Reply, Result, SessionError};

impl Session {
    /// Runs the write `method` on the open budget; resolves once its changes are on disk
    /// (or, inside a batch, part of the batch's transaction). The next sync sends them.
    pub async fn write(&self, method: String, args: serde_json::Value) -> Result<String> {
        self.check_may_write()?;
        let mut slot = self.open.clone().lock_owned().await;
        if slot.is_none() {
            return Err(no_budget_open());
        }
        let data_dir = self.data_dir.clone();
        blocking(method.clone(), move || {
            let open = slot.as_mut().expect("checked above");
            let value = open.write(&method, &args, &data_dir)?;
            Ok(serde_json::to_string(&value).expect("a JSON value always serialises"))
        })
        .await
    }

    /// A read-only API token's writes are refused here, before anything changes locally
    /// (the gateway would refuse to send them; they would stay unsent).
    pub(super) fn check_may_write(&self) -> Result<()> {
        if self.user.api_token.as_ref().is_some_and(|t| t.read_only) {
            return Err(SessionError::Auth {
                kind: ErrorKind::TokenScope,
                code: "token-read-only".into(),
                message: "this API token is read-only: it cannot change the budget".into(),
                reply: Reply::default(),
            });
        }
        Ok(())
    }
}
