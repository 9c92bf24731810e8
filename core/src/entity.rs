//! The eight entities of Appendix 1.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// An entity of the regulation's Appendix 1: the kind of records a packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    /// ПЛАНЫ ЗАКУПОК: procurement plan items.
    PlanItem,
    /// ЛОТЫ: lots.
    Lot,
    /// ОБЪЯВЛЕНИЯ: announcements.
    Announcement,
    /// ДОГОВОРЫ: contracts with their detail rows.
    Contract,
    /// УЧАСТНИКИ: participants.
    Participant,
    /// ИТОГИ: procurement results.
    Result,
    /// РЕЕСТР НЕДОБРОСОВЕСТНЫХ/НЕНАДЕЖНЫХ УЧАСТНИКОВ: register of unscrupulous/unreliable suppliers.
    UnreliableSupplier,
    /// РЕЕСТР НПА: register of legal acts.
    LegalAct,
}

impl Entity {
    /// All entities in the regulation's order.
    pub const ALL: [Entity; 8] = [
        Entity::PlanItem,
        Entity::Lot,
        Entity::Announcement,
        Entity::Contract,
        Entity::Participant,
        Entity::Result,
        Entity::UnreliableSupplier,
        Entity::LegalAct,
    ];

    /// The entity's name in packets, schemas and APIs (`plan_item`, `lot`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::PlanItem => "plan_item",
            Entity::Lot => "lot",
            Entity::Announcement => "announcement",
            Entity::Contract => "contract",
            Entity::Participant => "participant",
            Entity::Result => "result",
            Entity::UnreliableSupplier => "unreliable_supplier",
            Entity::LegalAct => "legal_act",
        }
    }

    /// The known names, comma-separated (for error messages).
    pub fn names() -> String {
        Entity::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Entity {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Entity::ALL
            .into_iter()
            .find(|e| e.as_str() == name)
            .ok_or_else(|| Error::UnknownEntity {
                name: name.to_owned(),
                expected: Entity::names(),
            })
    }
}
