//! The finding codes core emits; each must have an entry in `schemas/rules.json`.

#![allow(missing_docs)]

pub const FIELD_MISSING: &str = "field.missing";
pub const TEXT_BLANK: &str = "text.blank";
pub const FIELD_TYPE: &str = "field.type";
pub const RECORD_TYPE: &str = "record.type";
pub const FIELD_UNKNOWN: &str = "field.unknown";
pub const FIELD_DUPLICATE: &str = "field.duplicate";
pub const XML_ATTRIBUTE_IGNORED: &str = "xml.attribute_ignored";
pub const GUID_FORMAT: &str = "guid.format";
pub const DECIMAL_FORMAT: &str = "decimal.format";
pub const DECIMAL_NEGATIVE: &str = "decimal.negative";
pub const DECIMAL_RANGE: &str = "decimal.range";
pub const AMOUNT_SCALE: &str = "amount.scale";
pub const COUNT_FORMAT: &str = "count.format";
pub const PERCENT_RANGE: &str = "percent.range";
pub const BIN_FORMAT: &str = "bin.format";
pub const BIN_CHECKSUM: &str = "bin.checksum";
pub const BIN_STRUCTURE: &str = "bin.structure";
pub const DATE_FORMAT: &str = "date.format";
pub const DATE_CALENDAR: &str = "date.calendar";
pub const DATETIME_FORMAT: &str = "datetime.format";
pub const DATETIME_CALENDAR: &str = "datetime.calendar";
pub const YEAR_FORMAT: &str = "year.format";
pub const MONTH_RANGE: &str = "month.range";
pub const BOOLEAN_FORMAT: &str = "boolean.format";
pub const KATO_FORMAT: &str = "kato.format";
pub const MKEI_FORMAT: &str = "mkei.format";
pub const RCA_FORMAT: &str = "rca.format";
pub const ENSTRU_FORMAT: &str = "enstru.format";
pub const URL_FORMAT: &str = "url.format";
pub const EMAIL_FORMAT: &str = "email.format";
pub const PHONE_FORMAT: &str = "phone.format";
pub const NUMBER_ZEROS_RESTORED: &str = "number.zeros_restored";
pub const NUMBER_UNSAFE_INTEGER: &str = "number.unsafe_integer";
pub const NUMBER_FORM: &str = "number.form";
pub const DICTIONARY_UNKNOWN_CODE: &str = "dictionary.unknown_code";
pub const FLAGS_UNKNOWN_CODE: &str = "flags.unknown_code";
pub const PLAN_SUM_MISMATCH: &str = "plan.sum_mismatch";
pub const PLAN_ANNUAL_YEAR_SUM: &str = "plan.annual_year_sum";
pub const PLAN_LONG_TERM_YEAR_SUMS: &str = "plan.long_term_year_sums";
pub const PLAN_PAYMENTS_TOTAL: &str = "plan.payments_total";
pub const ANNOUNCEMENT_PUBLISH_AFTER_RECEPTION: &str = "announcement.publish_after_reception";
pub const ANNOUNCEMENT_RECEPTION_WINDOW: &str = "announcement.reception_window";
pub const CONTRACT_LOCAL_CONTENT_MISSING: &str = "contract.local_content_missing";
pub const CONTRACT_LOT_COUNT_MISMATCH: &str = "contract.lot_count_mismatch";
pub const REGISTER_DATES_ORDER: &str = "register.dates_order";
pub const PARTICIPANT_RESIDENT_CONFLICT: &str = "participant.resident_conflict";
pub const BILINGUAL_RU_MISSING: &str = "bilingual.ru_missing";
pub const LIST_EMPTY: &str = "list.empty";
pub const RESULT_WINNER_REPEATED: &str = "result.winner_repeated";
pub const RECORD_DUPLICATE_KEY: &str = "record.duplicate_key";
pub const HEADER_ENTITY_MISMATCH: &str = "header.entity_mismatch";
pub const HEADER_RULE_SET_UNKNOWN: &str = "header.rule_set_unknown";
pub const REPLY_TRANSFER_LATE: &str = "reply.transfer_late";
pub const DATASET_REFERENCE_MISSING: &str = "dataset.reference_missing";
pub const DATASET_DUPLICATE_KEY: &str = "dataset.duplicate_key";
pub const DATASET_ANNOUNCEMENT_SUM: &str = "dataset.announcement_sum_mismatch";
pub const DATASET_WINNER_REPEATED: &str = "dataset.winner_repeated";
pub const DATASET_CUSTOMER_MISMATCH: &str = "dataset.customer_mismatch";
pub const DATASET_METHOD_MISMATCH: &str = "dataset.method_mismatch";
pub const DATASET_SUPPLIER_NOT_WINNER: &str = "dataset.supplier_not_winner";
pub const DATASET_RESULT_BEFORE_RECEPTION_END: &str = "dataset.result_before_reception_end";
pub const SIGNATURE_MISSING: &str = "signature.missing";
pub const SIGNATURE_MALFORMED: &str = "signature.malformed";
pub const SIGNATURE_UNSUPPORTED: &str = "signature.unsupported";
pub const SIGNATURE_REFERENCE_MISMATCH: &str = "signature.reference_mismatch";
pub const SIGNATURE_INVALID: &str = "signature.invalid";
pub const SIGNATURE_SIGNER_MISMATCH: &str = "signature.signer_mismatch";
pub const CERTIFICATE_MALFORMED: &str = "certificate.malformed";
pub const CERTIFICATE_NOT_YET_VALID: &str = "certificate.not_yet_valid";
pub const CERTIFICATE_EXPIRED: &str = "certificate.expired";
pub const CERTIFICATE_TIME_UNKNOWN: &str = "certificate.time_unknown";
pub const CERTIFICATE_NOT_FOR_SIGNING: &str = "certificate.not_for_signing";
pub const CERTIFICATE_UNTRUSTED: &str = "certificate.untrusted";
pub const CERTIFICATE_ISSUER_INVALID: &str = "certificate.issuer_invalid";
pub const CERTIFICATE_REVOKED: &str = "certificate.revoked";
pub const CRL_INVALID: &str = "crl.invalid";
pub const CRL_STALE: &str = "crl.stale";

/// Every code above, in catalog order.
pub const ALL: [&str; 77] = [
    FIELD_MISSING,
    TEXT_BLANK,
    FIELD_TYPE,
    RECORD_TYPE,
    FIELD_UNKNOWN,
    FIELD_DUPLICATE,
    XML_ATTRIBUTE_IGNORED,
    GUID_FORMAT,
    DECIMAL_FORMAT,
    DECIMAL_NEGATIVE,
    DECIMAL_RANGE,
    AMOUNT_SCALE,
    COUNT_FORMAT,
    PERCENT_RANGE,
    BIN_FORMAT,
    BIN_CHECKSUM,
    BIN_STRUCTURE,
    DATE_FORMAT,
    DATE_CALENDAR,
    DATETIME_FORMAT,
    DATETIME_CALENDAR,
    YEAR_FORMAT,
    MONTH_RANGE,
    BOOLEAN_FORMAT,
    KATO_FORMAT,
    MKEI_FORMAT,
    RCA_FORMAT,
    ENSTRU_FORMAT,
    URL_FORMAT,
    EMAIL_FORMAT,
    PHONE_FORMAT,
    NUMBER_ZEROS_RESTORED,
    NUMBER_UNSAFE_INTEGER,
    NUMBER_FORM,
    DICTIONARY_UNKNOWN_CODE,
    FLAGS_UNKNOWN_CODE,
    PLAN_SUM_MISMATCH,
    PLAN_ANNUAL_YEAR_SUM,
    PLAN_LONG_TERM_YEAR_SUMS,
    PLAN_PAYMENTS_TOTAL,
    ANNOUNCEMENT_PUBLISH_AFTER_RECEPTION,
    ANNOUNCEMENT_RECEPTION_WINDOW,
    CONTRACT_LOCAL_CONTENT_MISSING,
    CONTRACT_LOT_COUNT_MISMATCH,
    REGISTER_DATES_ORDER,
    PARTICIPANT_RESIDENT_CONFLICT,
    BILINGUAL_RU_MISSING,
    LIST_EMPTY,
    RESULT_WINNER_REPEATED,
    RECORD_DUPLICATE_KEY,
    HEADER_ENTITY_MISMATCH,
    HEADER_RULE_SET_UNKNOWN,
    REPLY_TRANSFER_LATE,
    DATASET_REFERENCE_MISSING,
    DATASET_DUPLICATE_KEY,
    DATASET_ANNOUNCEMENT_SUM,
    DATASET_WINNER_REPEATED,
    DATASET_CUSTOMER_MISMATCH,
    DATASET_METHOD_MISMATCH,
    DATASET_SUPPLIER_NOT_WINNER,
    DATASET_RESULT_BEFORE_RECEPTION_END,
    SIGNATURE_MISSING,
    SIGNATURE_MALFORMED,
    SIGNATURE_UNSUPPORTED,
    SIGNATURE_REFERENCE_MISMATCH,
    SIGNATURE_INVALID,
    SIGNATURE_SIGNER_MISMATCH,
    CERTIFICATE_MALFORMED,
    CERTIFICATE_NOT_YET_VALID,
    CERTIFICATE_EXPIRED,
    CERTIFICATE_TIME_UNKNOWN,
    CERTIFICATE_NOT_FOR_SIGNING,
    CERTIFICATE_UNTRUSTED,
    CERTIFICATE_ISSUER_INVALID,
    CERTIFICATE_REVOKED,
    CRL_INVALID,
    CRL_STALE,
];
