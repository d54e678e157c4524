//! A tenant's lifecycle: the states it may be in and the moves between them.
//!
//! ```text
//! provisioning ──► active ◄──► suspended
//!      │             │             │
//!      ▼             ▼             ▼
//!    failed ─────► destroying ◄────┘
//! ```
//! Only `active` tenants accept connections.

use crate::sql::errors::SqlError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Provisioning,
    Active,
    Suspended,
    Failed,
    Destroying,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Provisioning => "provisioning",
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Failed => "failed",
            Status::Destroying => "destroying",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "provisioning" => Status::Provisioning,
            "active" => Status::Active,
            "suspended" => Status::Suspended,
            "failed" => Status::Failed,
            "destroying" => Status::Destroying,
            _ => return None,
        })
    }

    /// Whether `self → to` is a move the lifecycle allows.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Provisioning, Active)
                | (Provisioning, Failed)
                | (Active, Suspended)
                | (Suspended, Active)
                | (Active, Destroying)
                | (Suspended, Destroying)
                | (Failed, Destroying)
                // A drop interrupted by a crash may be retried.
                | (Destroying, Destroying)
        )
    }

    /// `Ok` for an allowed move, else 55000 saying what the tenant is.
    pub fn transition(self, tenant: &str, to: Status) -> Result<Status, SqlError> {
        use Status::*;
        if self.can_become(to) {
            return Ok(to);
        }
        let hint = match (self, to) {
            (Active, Active) | (Suspended, Suspended) => "Nothing to do.",
            (Failed, _) => "A failed tenant can only be dropped (drop_tenant), then created again.",
            (Provisioning, _) => "Wait for provisioning to finish.",
            (Destroying, _) => "The tenant is being dropped.",
            _ => "Allowed: provisioning → active|failed, active ↔ suspended, active|suspended|failed → destroying.",
        };
        Err(SqlError::new(
            "55000",
            format!(
                "tenant \"{tenant}\" is {}: cannot make it {}",
                self.as_str(),
                to.as_str()
            ),
        )
        .with_detail(hint))
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn only_valid_transitions() {
        let all = [Provisioning, Active, Suspended, Failed, Destroying];
        let allowed = [
            (Provisioning, Active),
            (Provisioning, Failed),
            (Active, Suspended),
            (Suspended, Active),
            (Active, Destroying),
            (Suspended, Destroying),
            (Failed, Destroying),
            (Destroying, Destroying),
        ];
        for from in all {
            assert_eq!(Status::parse(from.as_str()), Some(from));
            for to in all {
                let ok = allowed.contains(&(from, to));
                let r = from.transition("t", to);
                assert_eq!(r.is_ok(), ok, "{from:?} -> {to:?}");
                if let Err(e) = r {
                    assert_eq!(e.code, "55000");
                    assert!(e.message.contains(from.as_str()), "{}", e.message);
                }
            }
        }
        assert_eq!(Status::parse("gone"), None);
    }
}
