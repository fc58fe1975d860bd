//! Files and folders only the gateway's owner may read: the database and the key file
//! hold sealed sessions and the key that opens them.

use std::path::Path;

use crate::error::{GatewayError, Result};

/// Creates the folder of `path` (mode 0700) when it is missing.
pub fn create_private_dir(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir)
                .map_err(|e| GatewayError::io(format!("cannot create {}", dir.display()), e))?;
        }
    }
    Ok(())
}

/// Creates the file (and its folder) readable by the owner only, before SQLite
/// opens it; SQLite gives the -wal and -shm files the same mode.
pub fn create_private(path: &Path) -> Result<()> {
    create_private_dir(path)?;
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
        .map_err(|e| GatewayError::io(format!("cannot open {}", path.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| GatewayError::io(format!("cannot chmod {}", path.display()), e))?;
    }
    Ok(())
}
