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
