//! Arrow record batches in, Arrow findings out: `tekser.validate_arrow`.
//!
//! Any object that exports the Arrow C stream or array interface (a pyarrow Table, RecordBatch
//! or RecordBatchReader, a Polars DataFrame, pandas through pyarrow) is read batch by batch
//! through the PyCapsule interface (pyo3-arrow): no JSON text is made. Columns are service
//! names (or renamed by `columns`); each column's type decides once per batch how its values
//! become the data model's values, which the core's validator checks record by record.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::PyTable;
use tekser::{Catalog, Entity, Lang, Severity, Value};

/// Astana's offset from UTC at an instant (seconds since the epoch): UTC+6 until
/// 2024-02-29T18:00Z, UTC+5 from then (the core's calendar says the same).
fn astana_offset_seconds(utc_seconds: i64) -> i64 {
    const SWITCH: i64 = 1_709_229_600; // 2024-02-29T18:00:00Z
    if utc_seconds < SWITCH {
        6 * 3600
    } else {
        5 * 3600
    }
}

/// `dd.mm.yyyy` of a day count since 1970-01-01.
fn date_text(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{day:02}.{month:02}.{year:04}")
}

/// `dd.mm.yyyy HH:MM` of a wall-clock time in seconds since 1970-01-01T00:00.
fn datetime_text(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    format!("{} {:02}:{:02}", date_text(days), of_day / 3600, of_day % 3600 / 60)
}

/// A decimal's text from its unscaled integer and scale (`2898000`, 2 → `28980.00`).
fn decimal_text(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        let mut text = unscaled.to_string();
        text.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        return text;
    }
    let scale = usize::from(scale.unsigned_abs());
    let digits = unscaled.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    format!("{}{whole}.{fraction}", if unscaled < 0 { "-" } else { "" })
}

/// A float as Python's `repr` writes it for ordinary values (`28980.0`, `0.1`), which is what
/// the JSON path sees from `json.dumps`; NaN and infinities are not numbers in JSON.
fn float_text(value: f64, column: &str) -> Result<Value, String> {
    if !value.is_finite() {
        return Err(format!(
            "column {column:?}: {value} is not a number JSON or the regulation allows"
        ));
    }
    Ok(Value::Number(format!("{value:?}")))
}

/// The value of row `row` of `array` in the data model.
fn value_at(array: &dyn Array, row: usize, column: &str) -> Result<Value, String> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    let number = |n: String| Ok(Value::Number(n));
    Ok(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Utf8 => Value::Text(array.as_string::<i32>().value(row).to_owned()),
        DataType::LargeUtf8 => Value::Text(array.as_string::<i64>().value(row).to_owned()),
        DataType::Utf8View => Value::Text(array.as_string_view().value(row).to_owned()),
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Int8 => return number(array.as_primitive::<Int8Type>().value(row).to_string()),
        DataType::Int16 => return number(array.as_primitive::<Int16Type>().value(row).to_string()),
        DataType::Int32 => return number(array.as_primitive::<Int32Type>().value(row).to_string()),
        DataType::Int64 => return number(array.as_primitive::<Int64Type>().value(row).to_string()),
        DataType::UInt8 => return number(array.as_primitive::<UInt8Type>().value(row).to_string()),
        DataType::UInt16 => return number(array.as_primitive::<UInt16Type>().value(row).to_string()),
        DataType::UInt32 => return number(array.as_primitive::<UInt32Type>().value(row).to_string()),
        DataType::UInt64 => return number(array.as_primitive::<UInt64Type>().value(row).to_string()),
        DataType::Float32 => return float_text(f64::from(array.as_primitive::<Float32Type>().value(row)), column),
        DataType::Float64 => return float_text(array.as_primitive::<Float64Type>().value(row), column),
        DataType::Decimal128(_, scale) => {
            return number(decimal_text(array.as_primitive::<Decimal128Type>().value(row), *scale))
        }
        DataType::Date32 => Value::Text(date_text(i64::from(array.as_primitive::<Date32Type>().value(row)))),
        DataType::Date64 => Value::Text(date_text(array.as_primitive::<Date64Type>().value(row).div_euclid(86_400_000))),
        DataType::Timestamp(unit, zone) => {
            let seconds = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(row).div_euclid(1_000),
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row).div_euclid(1_000_000)
                }
                TimeUnit::Nanosecond => {
                    array.as_primitive::<TimestampNanosecondType>().value(row).div_euclid(1_000_000_000)
                }
            };
            // A zoned timestamp is an instant: shown in Astana time. A naive one is already
            // the wall-clock time the regulation writes.
            let wall = if zone.is_some() { seconds + astana_offset_seconds(seconds) } else { seconds };
            Value::Text(datetime_text(wall))
        }
        DataType::List(_) => list_value(array.as_list::<i32>().value(row).as_ref(), column)?,
        DataType::LargeList(_) => list_value(array.as_list::<i64>().value(row).as_ref(), column)?,
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut members = Vec::with_capacity(fields.len());
            for (i, field) in fields.iter().enumerate() {
                // A null member is an absent one (see `validate_arrow`).
                let value = value_at(s.column(i).as_ref(), row, field.name())?;
                if !matches!(value, Value::Null) {
                    members.push((field.name().clone(), value));
                }
            }
            Value::Object(members)
        }
        other => {
            return Err(format!(
                "column {column:?}: Arrow type {other} is not read (strings, integers, floats, decimals, booleans, dates, timestamps, lists and structs are)"
            ))
        }
    })
}

fn list_value(items: &dyn Array, column: &str) -> Result<Value, String> {
    (0..items.len())
        .map(|i| value_at(items, i, column))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// A batch's columns, dictionary-encoded ones (pandas categoricals) decoded once.
fn prepared_columns(batch: &RecordBatch, rename: &BTreeMap<String, String>) -> Result<Vec<(String, ArrayRef)>, String> {
    let schema = batch.schema();
    let mut out = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let column = match field.data_type() {
            DataType::Dictionary(_, value) => {
                arrow_cast::cast(column, value).map_err(|e| format!("column {:?}: {e}", field.name()))?
            }
            _ => Arc::clone(column),
        };
        let name = rename
            .get(field.name())
            .cloned()
            .unwrap_or_else(|| field.name().clone());
        out.push((name, column));
    }
    Ok(out)
}

/// The result of `validate_arrow`: the findings as an Arrow table, the verdict and counts.
#[pyclass(frozen, module = "tekser", name = "ArrowReport")]
pub struct ArrowReport {
    report: tekser::Report,
    table: Py<PyAny>,
    facts: Option<Py<PyAny>>,
}

#[pymethods]
impl ArrowReport {
    /// The findings, one row each: record, record_id, field, code, severity, message, path,
    /// related (a `pyarrow.Table`; `record` joins back to the input's row order).
    #[getter]
    fn findings(&self, py: Python<'_>) -> Py<PyAny> {
        self.table.clone_ref(py)
    }

    /// The records' dataset facts (ids, references, sums; `tekser.spark`'s joins use them)
    /// as a pyarrow Table, when `validate_arrow(..., facts=True)`; else None.
    #[getter]
    fn facts(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.facts.as_ref().map(|t| t.clone_ref(py))
    }

    /// `"accepted"` or `"rejected"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.report.status.as_str()
    }

    /// True when no finding is an error.
    #[getter]
    fn accepted(&self) -> bool {
        self.report.accepted()
    }

    /// Records read.
    #[getter]
    fn record_count(&self) -> usize {
        self.report.record_count
    }

    /// Error findings, those past `max_findings` included.
    #[getter]
    fn errors(&self) -> usize {
        self.report.count(Severity::Error)
    }

    /// Warning findings, those past `max_findings` included.
    #[getter]
    fn warnings(&self) -> usize {
        self.report.count(Severity::Warning)
    }

    /// Findings per code, those past `max_findings` included.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for f in &self.report.findings {
            *counts.entry(f.code).or_default() += 1;
        }
        for o in &self.report.omitted {
            *counts.entry(o.code).or_default() += o.count;
        }
        let dict = PyDict::new(py);
        for (code, n) in counts {
            dict.set_item(code, n)?;
        }
        Ok(dict)
    }

    /// The canonical report JSON of the records as a bare list (paths `/<record>/<field>`).
    fn to_json(&self) -> String {
        self.report.to_json()
    }

    fn __repr__(&self) -> String {
        format!(
            "ArrowReport(status='{}', record_count={}, errors={}, warnings={})",
            self.report.status.as_str(),
            self.report.record_count,
            self.report.count(Severity::Error),
            self.report.count(Severity::Warning)
        )
    }
}

/// Validates records held as Arrow data (see the module's comment).
#[allow(clippy::too_many_arguments)]
pub fn validate_arrow(
    py: Python<'_>,
    data: AnyRecordBatch,
    entity: &str,
    lang: &str,
    catalog: &Catalog,
    max_findings: usize,
    columns: Option<BTreeMap<String, String>>,
    id_column: &str,
    facts: bool,
) -> PyResult<ArrowReport> {
    let entity_name = entity;
    let entity: Entity = entity
        .parse()
        .map_err(|e: tekser::Error| PyValueError::new_err(e.to_string()))?;
    let lang = one_lang(lang, "validate_arrow")?;
    let rename = columns.unwrap_or_default();
    let reader = data.into_reader()?;
    let mut validator = tekser::Validator::new(catalog, entity, Some(lang)).max_findings(max_findings);
    if facts {
        validator = validator.with_facts();
    }
    let mut ids: BTreeMap<usize, String> = BTreeMap::new();
    let mut index = 0usize;
    let mut path = String::new();
    for batch in reader {
        let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
        let columns = prepared_columns(&batch, &rename).map_err(PyTypeError::new_err)?;
        let id_at = columns.iter().position(|(name, _)| name == id_column);
        for row in 0..batch.num_rows() {
            let mut members = Vec::with_capacity(columns.len());
            for (name, column) in &columns {
                // Columns are shared by every row, so a null is a value the record does not
                // have: it is left out, as an absent JSON member (a mandatory field is then
                // field.missing, as for a JSON null).
                let value = value_at(column.as_ref(), row, name).map_err(PyTypeError::new_err)?;
                if !matches!(value, Value::Null) {
                    members.push((name.clone(), value));
                }
            }
            let record = Value::Object(members);
            let before = validator.findings_len();
            path.clear();
            path.push('/');
            path.push_str(&index.to_string());
            validator.record(index, &path, &record);
            // Only the ids of records with findings are kept, to join the table back.
            if validator.findings_len() > before {
                let id = id_at.and_then(|i| {
                    let name = &columns[i].0;
                    record_members(&record).iter().find(|(n, _)| n == name).map(|(_, v)| v)
                });
                if let Some(Value::Text(id) | Value::Number(id)) = id {
                    ids.insert(index, id.clone());
                }
            }
            index += 1;
        }
        py.check_signals()?;
    }
    let (report, found) = validator.finish_with_facts();
    let table = findings_table(py, &report, &ids, catalog, lang)?;
    let facts = if facts {
        let batch = crate::facts::facts_batch(None, entity_name, &found).map_err(PyValueError::new_err)?;
        Some(crate::facts::to_pyarrow(py, batch)?)
    } else {
        None
    };
    Ok(ArrowReport { report, table, facts })
}

/// One message language (`ru`, `kk`, `en`): Arrow tables have one message column.
pub fn one_lang(lang: &str, what: &str) -> PyResult<Lang> {
    match lang {
        "all" => Err(PyValueError::new_err(format!(
            "{what} needs one language: ru, kk or en"
        ))),
        code => code
            .parse()
            .map_err(|e: tekser::UnknownLang| PyValueError::new_err(e.to_string())),
    }
}

fn record_members(record: &Value) -> &[(String, Value)] {
    match record {
        Value::Object(members) => members,
        _ => &[],
    }
}

/// The findings as a pyarrow Table.
fn findings_table(
    py: Python<'_>,
    report: &tekser::Report,
    ids: &BTreeMap<usize, String>,
    catalog: &Catalog,
    lang: Lang,
) -> PyResult<Py<PyAny>> {
    let f = &report.findings;
    let record: Int64Array = f.iter().map(|x| x.record.map(|r| r as i64)).collect();
    let record_id: StringArray = f
        .iter()
        .map(|x| x.record.and_then(|r| ids.get(&r).map(String::as_str)))
        .collect();
    let field: StringArray = f.iter().map(|x| x.field.as_deref()).collect();
    let code: StringArray = f.iter().map(|x| Some(x.code)).collect();
    let severity: StringArray = f.iter().map(|x| Some(x.severity.as_str())).collect();
    let message: StringArray = f.iter().map(|x| Some(x.message(catalog, lang))).collect();
    let path: StringArray = f.iter().map(|x| Some(x.path.as_str())).collect();
    let related: StringArray = f
        .iter()
        .map(|x| x.params.iter().find(|(k, _)| *k == "related").map(|(_, v)| v.as_str()))
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("record", DataType::Int64, true),
        Field::new("record_id", DataType::Utf8, true),
        Field::new("field", DataType::Utf8, true),
        Field::new("code", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
        Field::new("path", DataType::Utf8, false),
        Field::new("related", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(record),
        Arc::new(record_id),
        Arc::new(field),
        Arc::new(code),
        Arc::new(severity),
        Arc::new(message),
        Arc::new(path),
        Arc::new(related),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let table = PyTable::try_new(vec![batch], schema)?;
    Ok(table.into_pyarrow(py)?.unbind())
}
