//! The outbox messages the use cases enqueue, each composed once with its dedupe key.
//!
//! A dedupe key names the cause of a message (`approval.create:<declaration>`,
//! `notify.work:entry:<ledger entry>`, …), so a retried use case or a second replica enqueues the
//! same key and the store writes nothing the second time.

use aidazu_domain::{DeclarationId, LedgerEntryId, OrderId, VillageId};
use aidazu_ports::declarations::DeclarationRecord;
use aidazu_ports::outbox::{
    ApprovalCreate, ApprovalTerminate, CardSend, CardUpdate, Markdown, NewOutboxMessage,
    ObjectionApprovalCreate, ObjectionApprovalTerminate, OutboxCommand, WorkNotice,
};

/// The dedupe keys (also read back, e.g. to see whether an approval is still being created).
pub mod key {
    use aidazu_domain::{DeclarationId, LedgerEntryId, OrderId, VillageId};

    /// The approval of a declaration.
    #[must_use]
    pub fn approval_create(id: DeclarationId) -> String {
        format!("approval.create:{}", id.get())
    }

    /// The card of a declaration.
    #[must_use]
    pub fn card_send(id: DeclarationId) -> String {
        format!("card.send:{}", id.get())
    }

    /// Closing the approval of a declaration decided elsewhere or withdrawn.
    #[must_use]
    pub fn approval_terminate(id: DeclarationId) -> String {
        format!("approval.terminate:{}", id.get())
    }

    /// Closing an approval created after its declaration was already decided.
    #[must_use]
    pub fn approval_terminate_late(id: DeclarationId) -> String {
        format!("approval.terminate:{}:late", id.get())
    }

    /// The outcome on the card.
    #[must_use]
    pub fn card_update(id: DeclarationId) -> String {
        format!("card.update:{}", id.get())
    }

    /// The member's notice of a decision.
    #[must_use]
    pub fn decision_notice(id: DeclarationId) -> String {
        format!("notify.work:decl:{}", id.get())
    }

    /// The members' notice of a direct score.
    #[must_use]
    pub fn entry_notice(id: LedgerEntryId) -> String {
        format!("notify.work:entry:{}", id.get())
    }

    /// A notice about an order (`placed`, `cancelled`).
    #[must_use]
    pub fn order_notice(what: &str, id: OrderId) -> String {
        format!("notify.work:order.{what}:{}", id.get())
    }

    /// An overdue-order stage (`remind`, `escalate`) of an order (R19).
    #[must_use]
    pub fn order_reminder(stage: &str, id: OrderId) -> String {
        format!("notify.work:order.{stage}:{}", id.get())
    }

    /// The monthly fund alert of a village (`month` as `YYYY-MM`, R20).
    #[must_use]
    pub fn fund_alert(village: VillageId, month: &str) -> String {
        format!("notify.work:fund.alert:{}:{month}", village.get())
    }

    /// A review reminder stage (`remind`, `escalate`) of a declaration (D2).
    #[must_use]
    pub fn review_reminder(stage: &str, id: DeclarationId) -> String {
        format!("notify.work:review.{stage}:{}", id.get())
    }

    /// The village group's notice of a publication version (R16, F5).
    #[must_use]
    pub fn publication_notice(
        village: aidazu_domain::VillageId,
        quarter: aidazu_domain::calendar::Quarter,
        version: u32,
    ) -> String {
        format!(
            "notify.group:publication:{}:{quarter}:v{version}",
            village.get()
        )
    }

    /// The district's summary of a quarter's publications (F5).
    #[must_use]
    pub fn district_summary(
        district: aidazu_domain::DistrictId,
        quarter: aidazu_domain::calendar::Quarter,
    ) -> String {
        format!(
            "notify.work:publication.district:{}:{quarter}",
            district.get()
        )
    }

    /// The district's summary of a quarter's publications in the district's own group (F5,
    /// issue 12).
    #[must_use]
    pub fn district_summary_group(
        district: aidazu_domain::DistrictId,
        quarter: aidazu_domain::calendar::Quarter,
    ) -> String {
        format!(
            "notify.group:publication.district:{}:{quarter}",
            district.get()
        )
    }

    /// The committee's OA approval of an objection (F6).
    #[must_use]
    pub fn objection_approval_create(id: aidazu_domain::ObjectionId) -> String {
        format!("objection.approval.create:{}", id.get())
    }

    /// Closing the OA approval of an objection decided in the console (F6).
    #[must_use]
    pub fn objection_approval_terminate(id: aidazu_domain::ObjectionId) -> String {
        format!("objection.approval.terminate:{}", id.get())
    }

    /// Closing an objection approval created after the objection was already decided (F6).
    #[must_use]
    pub fn objection_approval_terminate_late(id: aidazu_domain::ObjectionId) -> String {
        format!("objection.approval.terminate:{}:late", id.get())
    }

    /// The OA approval of a catalogue change request (R7, F6).
    #[must_use]
    pub fn catalogue_approval_create(change: i64) -> String {
        format!("catalogue.approval.create:{change}")
    }

    /// Closing the OA approval of a change request decided in the console (F6).
    #[must_use]
    pub fn catalogue_approval_terminate(change: i64) -> String {
        format!("catalogue.approval.terminate:{change}")
    }

    /// A stage (`submitted`, `decided`) of a catalogue change request.
    #[must_use]
    pub fn catalogue_change(stage: &str, change: i64) -> String {
        format!("notify.work:catalogue_change.{stage}:{change}")
    }

    /// A stage (`filed`, `decided`, `escalated`, `town_decided`) of an objection (R17).
    #[must_use]
    pub fn objection(stage: &str, id: aidazu_domain::ObjectionId) -> String {
        format!("notify.work:objection.{stage}:{}", id.get())
    }
}

/// The robot's markdown post to a village's notice group (R16, F5).
#[must_use]
pub fn group_notice(
    dedupe_key: String,
    village: VillageId,
    group: &aidazu_ports::publications::NoticeGroup,
    title: impl Into<String>,
    text: impl Into<String>,
) -> NewOutboxMessage {
    group_post(
        dedupe_key,
        Some(village),
        &group.open_conversation_id,
        &group.robot_code,
        title,
        text,
    )
}

/// The robot `robot_code`'s markdown post to the DingTalk group `open_conversation_id` (a
/// village's or a district's notice group, F5).
#[must_use]
pub fn group_post(
    dedupe_key: String,
    village: Option<VillageId>,
    open_conversation_id: &str,
    robot_code: &str,
    title: impl Into<String>,
    text: impl Into<String>,
) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::NotifyGroup(aidazu_ports::outbox::GroupNotice {
            open_conversation_id: open_conversation_id.to_owned(),
            markdown: Markdown {
                title: title.into(),
                text: text.into(),
            },
            robot_code: Some(robot_code.to_owned()),
        }),
        dedupe_key,
        village,
    )
}

/// Open the OA approval of a new declaration.
#[must_use]
pub fn approval_create(id: DeclarationId, village: VillageId) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::ApprovalCreate(ApprovalCreate { declaration_id: id }),
        key::approval_create(id),
        Some(village),
    )
}

/// Open the committee's OA approval of a new objection (F6).
#[must_use]
pub fn objection_approval_create(
    id: aidazu_domain::ObjectionId,
    village: VillageId,
) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::ObjectionApprovalCreate(ObjectionApprovalCreate { objection_id: id }),
        key::objection_approval_create(id),
        Some(village),
    )
}

/// Open the OA approval of a catalogue change request for the district office (R7, F6).
#[must_use]
pub fn catalogue_approval_create(change: i64, village: Option<VillageId>) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::CatalogueApprovalCreate(aidazu_ports::outbox::CatalogueApprovalCreate {
            change_id: change,
        }),
        key::catalogue_approval_create(change),
        village,
    )
}

/// Close the OA approval of a change request decided in the console (F6).
#[must_use]
pub fn catalogue_approval_terminate(
    change: i64,
    village: Option<VillageId>,
    instance: Option<String>,
) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::CatalogueApprovalTerminate(
            aidazu_ports::outbox::CatalogueApprovalTerminate {
                change_id: change,
                process_instance_id: instance,
            },
        ),
        key::catalogue_approval_terminate(change),
        village,
    )
}

/// Close the OA approval of an objection decided in the console (F6). `instance` is `None`
/// while the approval is still being created (the gateway reads it from the objection then).
#[must_use]
pub fn objection_approval_terminate(
    id: aidazu_domain::ObjectionId,
    village: VillageId,
    instance: Option<String>,
) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::ObjectionApprovalTerminate(ObjectionApprovalTerminate {
            objection_id: id,
            process_instance_id: instance,
        }),
        key::objection_approval_terminate(id),
        Some(village),
    )
}

/// Close objection approval `instance`, created after the objection was already decided.
#[must_use]
pub fn objection_approval_terminate_late(
    id: aidazu_domain::ObjectionId,
    village: VillageId,
    instance: &str,
) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::ObjectionApprovalTerminate(ObjectionApprovalTerminate {
            objection_id: id,
            process_instance_id: Some(instance.to_owned()),
        }),
        key::objection_approval_terminate_late(id),
        Some(village),
    )
}

/// Send the card of a new declaration to its reviewers.
#[must_use]
pub fn card_send(
    id: DeclarationId,
    village: VillageId,
    out_track_id: String,
    reviewers: Vec<String>,
) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::CardSend(CardSend {
            declaration_id: id,
            out_track_id,
            user_ids: reviewers,
        }),
        key::card_send(id),
        Some(village),
    )
}

/// Close the approval of `record` (decided in another channel, or withdrawn).
#[must_use]
pub fn approval_terminate(record: &DeclarationRecord) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::ApprovalTerminate(ApprovalTerminate {
            declaration_id: record.id,
            process_instance_id: record.process_instance_id.clone(),
            remark: None,
        }),
        key::approval_terminate(record.id),
        Some(record.village),
    )
}

/// Close approval `instance`, created after `record` was already decided.
#[must_use]
pub fn approval_terminate_late(record: &DeclarationRecord, instance: &str) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::ApprovalTerminate(ApprovalTerminate {
            declaration_id: record.id,
            process_instance_id: Some(instance.to_owned()),
            remark: None,
        }),
        key::approval_terminate_late(record.id),
        Some(record.village),
    )
}

/// Show the outcome of `record` on its card.
#[must_use]
pub fn card_update(record: &DeclarationRecord) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::CardUpdate(CardUpdate {
            declaration_id: record.id,
            out_track_id: record.card_out_track_id.clone(),
        }),
        key::card_update(record.id),
        Some(record.village),
    )
}

/// What a work notification is about (kept on the row for diagnostics and tests).
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// A declaration.
    Declaration(DeclarationId),
    /// A ledger entry.
    Entry(LedgerEntryId),
    /// A shop order.
    Order(OrderId),
    /// A village as a whole (its fund).
    Village(VillageId),
    /// Neither (a publication, an objection, a job).
    Other,
}

/// A markdown work notification to `user_ids`.
#[must_use]
pub fn work_notice(
    dedupe_key: String,
    village: VillageId,
    user_ids: Vec<String>,
    title: impl Into<String>,
    text: impl Into<String>,
    about: About,
) -> NewOutboxMessage {
    let (declaration_id, ledger_entry_id, order_id) = match about {
        About::Declaration(id) => (Some(id), None, None),
        About::Entry(id) => (None, Some(id), None),
        About::Order(id) => (None, None, Some(id)),
        About::Village(_) | About::Other => (None, None, None),
    };
    NewOutboxMessage::new(
        OutboxCommand::NotifyWork(WorkNotice {
            user_ids,
            markdown: Markdown {
                title: title.into(),
                text: text.into(),
            },
            declaration_id,
            ledger_entry_id,
            order_id,
        }),
        dedupe_key,
        Some(village),
    )
}
