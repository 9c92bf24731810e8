//! Every field of every Appendix 1 table appears in `schemas/`, with its title and the
//! table's mandatory flag; every dictionary code appears in its dictionary.
//!
//! Reads the regulation's own text (`schemas/source/eoz-2019-appendix1.txt`), so a field
//! left out of or added to a schema by mistake fails here.

use std::path::Path;

use tekser::catalog::{Catalog, Kind, RecordSchema};
use tekser::Entity;

const TABLES: [(&str, Entity); 8] = [
    ("ПЛАНЫ ЗАКУПОК", Entity::PlanItem),
    ("ЛОТЫ", Entity::Lot),
    ("ОБЪЯВЛЕНИЯ", Entity::Announcement),
    ("ДОГОВОРЫ", Entity::Contract),
    ("УЧАСТНИКИ", Entity::Participant),
    ("ИТОГИ", Entity::Result),
    (
        "РЕЕСТР НЕДОБРОСОВЕСТНЫХ/НЕНАДЕЖНЫХ УЧАСТНИКОВ",
        Entity::UnreliableSupplier,
    ),
    ("РЕЕСТР НПА", Entity::LegalAct),
];

/// Names given where the regulation leaves the service name blank (schemas/errata.json).
const ERRATA_NAMES: [(&str, &str); 2] = [
    ("Уникальная ссылка на лот", "linklot"),
    (
        "Доля местного содержания (работ, услуг), %",
        "local_content_works_services",
    ),
];

fn appendix() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/source/eoz-2019-appendix1.txt"))
        .expect("appendix text")
}

/// Rows (title, type, mandatory, service name) of each table, in order.
fn tables(text: &str) -> Vec<(String, Vec<[String; 4]>)> {
    let mut out: Vec<(String, Vec<[String; 4]>)> = Vec::new();
    for line in text.lines() {
        let heading = line.trim_start_matches('#').trim().trim_matches('*').trim();
        if let Some((name, _)) = TABLES.iter().find(|(name, _)| *name == heading) {
            out.push(((*name).to_owned(), Vec::new()));
            continue;
        }
        if heading == "СПРАВОЧНИКИ" {
            break;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let separator = cells.iter().all(|c| c.trim().chars().all(|ch| ch == '-'));
        if cells.len() == 4 && !separator && !cells[0].contains("Наименование поля") {
            if let Some((_, rows)) = out.last_mut() {
                rows.push([cells[0], cells[1], cells[2], cells[3]].map(|c| c.trim().to_owned()));
            }
        }
    }
    out
}

fn all_fields(schema: &RecordSchema) -> Vec<(String, String, bool)> {
    let mut fields = Vec::new();
    for field in &schema.fields {
        if let Kind::List(nested) = &field.kind {
            fields.extend(
                nested
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.title.clone(), f.mandatory)),
            );
        } else {
            fields.push((field.name.clone(), field.title.clone(), field.mandatory));
        }
    }
    fields
}

#[test]
fn every_table_field_is_in_the_schemas() {
    let catalog = Catalog::get().expect("catalog");
    let tables = tables(&appendix());
    assert_eq!(tables.len(), 8, "eight tables found in the appendix");
    let mut problems = Vec::new();
    let mut total = 0;
    for (name, rows) in &tables {
        let entity = TABLES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
            .expect("known table");
        let fields = all_fields(catalog.entity(entity));
        for [title, _type, mandatory, service] in rows {
            total += 1;
            let service = if service.is_empty() {
                ERRATA_NAMES
                    .iter()
                    .find(|(t, _)| t == title)
                    .map(|(_, n)| (*n).to_owned())
                    .unwrap_or_default()
            } else {
                service.clone()
            };
            // The contract table's two `id` rows are the contract's and the detail row's.
            let found = fields.iter().find(|(n, t, _)| *n == service && t == title);
            match found {
                None => problems.push(format!("{name}: «{title}» ({service}) is not in the {entity} schema")),
                Some((_, _, schema_mandatory)) => {
                    let table_mandatory = mandatory == "да";
                    if *schema_mandatory != table_mandatory {
                        problems.push(format!("{name}: «{title}» is «{mandatory}» in the table, mandatory={schema_mandatory} in the schema"));
                    }
                }
            }
        }
        if rows.len() != fields.len() {
            problems.push(format!(
                "{name}: {} rows in the table, {} fields in the schema",
                rows.len(),
                fields.len()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(total, 113, "rows read from the appendix");
}

#[test]
fn every_dictionary_code_is_in_the_schemas() {
    let catalog = Catalog::get().expect("catalog");
    let text = appendix();
    let start = text.find("## СПРАВОЧНИКИ").expect("dictionaries section");
    let mut rows = 0;
    let mut missing = Vec::new();
    for line in text[start..].lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != 2 || cells[0] == "Код" || cells[0].starts_with('-') {
            continue;
        }
        rows += 1;
        let (code, value) = (cells[0].trim(), cells[1].trim());
        if !catalog
            .dictionaries
            .iter()
            .any(|d| d.entries.iter().any(|(c, v)| c == code && v == value))
        {
            missing.push(format!("{code} {value}"));
        }
    }
    assert!(
        missing.is_empty(),
        "dictionary rows not in dictionaries.schema.json: {missing:?}"
    );
    assert!(rows > 180, "only {rows} dictionary rows read");
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every rule cites the clause that supports it; a rule that rests on a reading of the
/// text names its errata entry, and that entry exists. Every relation the text implies
/// rather than states is a warning (issue 9).
#[test]
fn every_rule_cites_its_clause_or_errata_entry() {
    let rules: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/rules.json")).expect("rules.json"))
            .expect("JSON");
    let errata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/errata.json")).expect("errata.json"))
            .expect("JSON");
    let ids: Vec<&str> = errata["errata"]
        .as_array()
        .expect("errata list")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    for rule in rules["rules"].as_array().expect("rules") {
        let code = rule["code"].as_str().expect("code");
        assert!(
            rule["clause"].as_str().is_some_and(|c| !c.trim().is_empty()),
            "{code} cites no clause"
        );
        if let Some(id) = rule.get("errata") {
            let id = id.as_str().expect("errata id is a string");
            assert!(
                ids.contains(&id),
                "{code} names errata {id}, which errata.json does not have"
            );
        }
    }
    let implied = [
        "plan.payments_total",
        "plan.annual_year_sum",
        "plan.long_term_year_sums",
        "announcement.publish_after_reception",
        "announcement.reception_window",
        "register.dates_order",
        "participant.resident_conflict",
        "url.format",
        "email.format",
        "flags.unknown_code",
        "dataset.customer_mismatch",
        "dataset.method_mismatch",
        "dataset.supplier_not_winner",
        "dataset.result_before_reception_end",
    ];
    for code in implied {
        let rule = rules["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["code"] == code)
            .unwrap_or_else(|| panic!("{code} is in rules.json"));
        assert_eq!(
            rule["severity"], "warning",
            "{code}: the text does not support an error"
        );
        assert!(
            rule["errata"].is_string(),
            "{code}: names the errata entry of its reading"
        );
    }
}
