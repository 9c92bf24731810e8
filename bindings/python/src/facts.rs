//! The dataset checks' two halves as Arrow tables, for `tekser.spark`.
//!
//! The per-packet half (validate a packet, keep its ids, references and sums as fact rows)
//! runs wherever the packet is; the cross-entity half is joins over fact rows, which an
//! engine such as Spark runs over more packets than one machine holds. What comes back
//! from the joins is turned into findings here, by the core, so that the messages are the
//! ones `tekser check --dataset` writes.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::PyTable;
use tekser::{Catalog, CrossFinding, Fact, Lang, Report};

/// The columns of a fact table, in order (see `tekser::Fact`).
pub fn fact_schema() -> Arc<Schema> {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        text("packet"),
        Field::new("entity", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("record", DataType::Int64, false),
        Field::new("path", DataType::Utf8, false),
        text("id"),
        text("tender_id"),
        text("plan_id"),
        text("sum"),
        text("customer_bin"),
        text("method"),
        Field::new("at_minutes", DataType::Int64, true),
        text("at_shown"),
        Field::new("winner", DataType::Boolean, false),
        text("bin"),
    ]))
}

/// Facts as one record batch; `packet` labels every row (or is null).
pub fn facts_batch(packet: Option<&str>, entity: &str, facts: &[Fact]) -> Result<RecordBatch, String> {
    let texts =
        |get: fn(&Fact) -> Option<&str>| -> ArrayRef { Arc::new(facts.iter().map(get).collect::<StringArray>()) };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(facts.iter().map(|_| packet).collect::<StringArray>()),
        Arc::new(facts.iter().map(|_| Some(entity)).collect::<StringArray>()),
        Arc::new(facts.iter().map(|f| Some(f.kind.as_str())).collect::<StringArray>()),
        Arc::new(facts.iter().map(|f| Some(f.record as i64)).collect::<Int64Array>()),
        Arc::new(facts.iter().map(|f| Some(f.path.as_str())).collect::<StringArray>()),
        texts(|f| f.id.as_deref()),
        texts(|f| f.tender_id.as_deref()),
        texts(|f| f.plan_id.as_deref()),
        texts(|f| f.sum.as_deref()),
        texts(|f| f.customer_bin.as_deref()),
        texts(|f| f.method.as_deref()),
        Arc::new(facts.iter().map(|f| f.at_minutes).collect::<Int64Array>()),
        texts(|f| f.at_shown.as_deref()),
        Arc::new(facts.iter().map(|f| Some(f.winner)).collect::<BooleanArray>()),
        texts(|f| f.bin.as_deref()),
    ];
    RecordBatch::try_new(fact_schema(), columns).map_err(|e| e.to_string())
}

/// The columns of a findings table of `tekser.spark` (a packet's own or cross-entity).
pub fn finding_schema() -> Arc<Schema> {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        text("packet"),
        Field::new("record", DataType::Int64, true),
        Field::new("path", DataType::Utf8, false),
        text("field"),
        Field::new("code", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
        text("related_entity"),
        text("related_packet"),
        text("related_path"),
        text("related_value"),
    ]))
}

/// A packet's own findings as a findings batch (no related side).
pub fn own_findings_batch(packet: &str, report: &Report, catalog: &Catalog, lang: Lang) -> Result<RecordBatch, String> {
    let f = &report.findings;
    let none = || -> ArrayRef { Arc::new(f.iter().map(|_| None::<&str>).collect::<StringArray>()) };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(f.iter().map(|_| Some(packet)).collect::<StringArray>()),
        Arc::new(f.iter().map(|x| x.record.map(|r| r as i64)).collect::<Int64Array>()),
        Arc::new(f.iter().map(|x| Some(x.path.as_str())).collect::<StringArray>()),
        Arc::new(f.iter().map(|x| x.field.as_deref()).collect::<StringArray>()),
        Arc::new(f.iter().map(|x| Some(x.code)).collect::<StringArray>()),
        Arc::new(f.iter().map(|x| Some(x.severity.as_str())).collect::<StringArray>()),
        Arc::new(
            f.iter()
                .map(|x| Some(x.message(catalog, lang)))
                .collect::<StringArray>(),
        ),
        none(),
        none(),
        none(),
        none(),
    ];
    RecordBatch::try_new(finding_schema(), columns).map_err(|e| e.to_string())
}

/// A batch as a pyarrow Table.
pub fn to_pyarrow(py: Python<'_>, batch: RecordBatch) -> PyResult<Py<PyAny>> {
    let schema = batch.schema();
    Ok(PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)?.unbind())
}

fn text_column<'a>(batch: &'a RecordBatch, name: &str, nullable: bool) -> PyResult<Option<&'a StringArray>> {
    match batch.column_by_name(name) {
        Some(c) => c
            .as_string_opt::<i32>()
            .map(Some)
            .ok_or_else(|| PyTypeError::new_err(format!("column {name:?} must be a string column"))),
        None if nullable => Ok(None),
        None => Err(PyValueError::new_err(format!("column {name:?} is missing"))),
    }
}

/// Makes findings of the cross-entity rows (columns code, record, path, field, value,
/// expected, related) and returns severity and message columns, row for row.
pub fn render_cross(py: Python<'_>, data: AnyRecordBatch, catalog: &Catalog, lang: Lang) -> PyResult<Py<PyAny>> {
    let mut severities: Vec<&'static str> = Vec::new();
    let mut messages: Vec<String> = Vec::new();
    for batch in data.into_reader()? {
        let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
        let record = batch
            .column_by_name("record")
            .and_then(|c| c.as_primitive_opt::<Int64Type>())
            .ok_or_else(|| PyTypeError::new_err("column \"record\" must be an int64 column"))?;
        let columns = [
            text_column(&batch, "code", false)?,
            text_column(&batch, "path", false)?,
            text_column(&batch, "field", false)?,
            text_column(&batch, "value", false)?,
            text_column(&batch, "expected", false)?,
            text_column(&batch, "related", true)?,
        ];
        let at =
            |i: usize, row: usize| -> Option<&str> { columns[i].and_then(|c| (!c.is_null(row)).then(|| c.value(row))) };
        for row in 0..batch.num_rows() {
            let finding = CrossFinding {
                code: at(0, row).unwrap_or_default(),
                record: usize::try_from(record.value(row)).unwrap_or_default(),
                path: at(1, row).unwrap_or_default(),
                field: at(2, row).unwrap_or_default(),
                value: at(3, row).unwrap_or_default(),
                expected: at(4, row).unwrap_or_default(),
                related: at(5, row),
            }
            .to_finding(catalog)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
            severities.push(finding.severity.as_str());
            messages.push(finding.message(catalog, lang));
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("severity", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(severities)),
        Arc::new(StringArray::from(messages)),
    ];
    let batch = RecordBatch::try_new(schema, columns).map_err(|e| PyValueError::new_err(e.to_string()))?;
    to_pyarrow(py, batch)
}
