//! `getBudgets()`: the local copies, then the server's files.

use serde::Serialize;

use super::{list_failed, Session};
use crate::budget_dir::{self, LocalBudget};
use crate::error::Result;
use actual_protocol::endpoint;
use actual_protocol::files::RemoteFile;

/// One entry of `getBudgets()`: a local copy or a file on the server.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum BudgetEntry {
    Local(LocalBudget),
    Remote(RemoteBudget),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RemoteBudget {
    pub cloud_file_id: String,
    pub state: &'static str,
    pub group_id: Option<String>,
    pub name: String,
    pub encrypt_key_id: Option<String>,
    pub has_key: bool,
    pub owner: Option<String>,
    pub users_with_access: Option<serde_json::Value>,
}

impl Session {
    /// The files the credential can see on the server.
    pub async fn remote_files(&self) -> Result<Vec<RemoteFile>> {
        let http = self.http()?;
        let rb = http.request(&endpoint::LIST_FILES, Some(&self.token));
        http.send_json(rb, self.method, list_failed).await
    }

    /// Local copies first, then the server's files, as upstream's `getBudgets()`.
    pub async fn budgets(&self) -> Result<Vec<BudgetEntry>> {
        let remote = match &self.http {
            Some(_) => self.remote_files().await?,
            None => Vec::new(),
        };
        let loaded_keys = self.loaded_keys.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<BudgetEntry> = budget_dir::local_budgets(&self.data_dir)
            .into_iter()
            .map(BudgetEntry::Local)
            .collect();
        out.extend(remote.into_iter().filter(|f| !f.deleted).map(|f| {
            let has_key = f
                .encrypt_key_id
                .as_ref()
                .is_some_and(|id| loaded_keys.contains(id));
            BudgetEntry::Remote(RemoteBudget {
                cloud_file_id: f.file_id,
                state: "remote",
                group_id: f.group_id,
                name: f.name,
                encrypt_key_id: f.encrypt_key_id,
                has_key,
                owner: f.owner,
                users_with_access: f.users_with_access,
            })
        }));
        Ok(out)
    }
}
