//! Calendar dates and Astana local date-times of the regulation's forms.
//!
//! `dd.mm.yyyy` and `dd.mm.yyyy HH:MM`. The format check mirrors the JSON Schema
//! pattern exactly; whether the date exists is a separate rule, so a malformed value is
//! reported once as a format error and an impossible one once as a calendar error.

/// A real calendar date (proleptic Gregorian, year 1–9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

/// A local date and time in Astana time, to the minute (ordering is local-time order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDateTime {
    /// The date.
    pub date: Date,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
}

/// Why a text is not an acceptable date or date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarError {
    /// Not of the form.
    Format,
    /// Of the form, but no such day or time.
    NoSuchDate,
}

fn leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` of `year`.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn number(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
}

fn digits_at(bytes: &[u8], positions: std::ops::Range<usize>) -> bool {
    bytes.get(positions).is_some_and(|s| s.iter().all(u8::is_ascii_digit))
}

impl Date {
    /// Builds a date, checking that it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `dd.mm.yyyy`.
    pub fn parse(text: &str) -> Result<Date, CalendarError> {
        let b = text.as_bytes();
        if b.len() != 10
            || !digits_at(b, 0..2)
            || b[2] != b'.'
            || !digits_at(b, 3..5)
            || b[5] != b'.'
            || !digits_at(b, 6..10)
        {
            return Err(CalendarError::Format);
        }
        let day = number(&b[0..2]) as u8;
        let month = number(&b[3..5]) as u8;
        Date::new(number(&b[6..10]), month, day).ok_or(CalendarError::NoSuchDate)
    }
}

impl LocalDateTime {
    /// Parses `dd.mm.yyyy HH:MM`.
    pub fn parse(text: &str) -> Result<LocalDateTime, CalendarError> {
        let b = text.as_bytes();
        if b.len() != 16 || b[10] != b' ' || !digits_at(b, 11..13) || b[13] != b':' || !digits_at(b, 14..16) {
            return Err(CalendarError::Format);
        }
        let date = Date::parse(&text[..10])?;
        let hour = number(&b[11..13]) as u8;
        let minute = number(&b[14..16]) as u8;
        if hour > 23 || minute > 59 {
            return Err(CalendarError::NoSuchDate);
        }
        Ok(LocalDateTime { date, hour, minute })
    }
}

/// Days from 1970-01-01 to `date` (proleptic Gregorian; negative before 1970).
pub(crate) fn days_from_epoch(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = i64::from(date.year) - i64::from(date.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(date.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(date.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The instant Astana moved from UTC+6 to UTC+5: 2024-02-29T18:00:00Z, i.e. local
/// midnight of 01.03.2024 (UTC+6) became 23:00 of 29.02.2024 (UTC+5).
pub const ASTANA_SWITCH_UTC_MINUTES: i64 = 28_487_160;

/// An instant, in whole minutes since 1970-01-01T00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Minutes since the Unix epoch (UTC).
    pub utc_minutes: i64,
    /// The Astana offset from UTC in force at that instant, in minutes (360 or 300).
    pub offset_minutes: i64,
}

impl LocalDateTime {
    /// The instant of this Astana local time, with the offset in force then (Rules p.13:
    /// all times are Astana time). UTC+6 until 2024-02-29T18:00Z, UTC+5 from then on.
    ///
    /// Local times from 23:00 to 23:59 of 29.02.2024 happened twice; they are read as
    /// the first occurrence (UTC+6), the one before the switch (see errata
    /// `astana-time-switch`). Daylight saving time before 2005 is not modelled: the
    /// exchange's data starts in 2016.
    pub fn instant(&self) -> Instant {
        let local = days_from_epoch(self.date) * 1440 + i64::from(self.hour) * 60 + i64::from(self.minute);
        // Every local time before 01.03.2024 00:00 is UTC+6; from then on UTC+5.
        let switch_local = ASTANA_SWITCH_UTC_MINUTES + 360;
        let offset = if local < switch_local { 360 } else { 300 };
        Instant {
            utc_minutes: local - offset,
            offset_minutes: offset,
        }
    }

    /// ISO 8601 with the Astana offset in force: `2024-02-29T23:30:00+06:00`.
    pub fn to_iso8601(&self) -> String {
        let offset = self.instant().offset_minutes;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:00+{:02}:{:02}",
            self.date.year,
            self.date.month,
            self.date.day,
            self.hour,
            self.minute,
            offset / 60,
            offset % 60
        )
    }
}

impl Instant {
    /// ISO 8601 in UTC: `2024-02-29T17:30:00Z`.
    pub fn to_iso8601_utc(&self) -> String {
        let days = self.utc_minutes.div_euclid(1440);
        let minutes = self.utc_minutes.rem_euclid(1440);
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
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:00Z",
            minutes / 60,
            minutes % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn dates() {
        assert!(Date::parse("29.02.2024").is_ok());
        assert_eq!(Date::parse("29.02.2023"), Err(CalendarError::NoSuchDate));
        assert_eq!(Date::parse("29.02.1900"), Err(CalendarError::NoSuchDate));
        assert!(Date::parse("29.02.2000").is_ok());
        assert_eq!(Date::parse("31.04.2024"), Err(CalendarError::NoSuchDate));
        assert_eq!(Date::parse("1.02.2024"), Err(CalendarError::Format));
        assert_eq!(Date::parse("2024-02-01"), Err(CalendarError::Format));
        assert_eq!(Date::parse("01.02.2024 "), Err(CalendarError::Format));
        assert_eq!(Date::parse("01.02.٢٠٢٤"), Err(CalendarError::Format));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn date_times() {
        assert!(LocalDateTime::parse("01.03.2024 00:00").is_ok());
        assert_eq!(LocalDateTime::parse("01.03.2024 24:00"), Err(CalendarError::NoSuchDate));
        assert_eq!(LocalDateTime::parse("01.03.2024 10:60"), Err(CalendarError::NoSuchDate));
        assert_eq!(LocalDateTime::parse("01.03.2024T10:00"), Err(CalendarError::Format));
        assert!(
            LocalDateTime::parse("01.03.2024 10:00").expect("ok")
                < LocalDateTime::parse("01.03.2024 10:01").expect("ok")
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn astana_offset_on_both_sides_of_the_2024_switch() {
        let at = |t: &str| LocalDateTime::parse(t).expect("valid");
        assert_eq!(
            ASTANA_SWITCH_UTC_MINUTES,
            days_from_epoch(Date {
                year: 2024,
                month: 2,
                day: 29
            }) * 1440
                + 18 * 60
        );
        let before = at("29.02.2024 22:59");
        assert_eq!(before.to_iso8601(), "2024-02-29T22:59:00+06:00");
        assert_eq!(before.instant().to_iso8601_utc(), "2024-02-29T16:59:00Z");
        // The repeated hour is read as its first occurrence (UTC+6).
        let repeated = at("29.02.2024 23:30");
        assert_eq!(repeated.to_iso8601(), "2024-02-29T23:30:00+06:00");
        assert_eq!(repeated.instant().to_iso8601_utc(), "2024-02-29T17:30:00Z");
        let after = at("01.03.2024 00:00");
        assert_eq!(after.to_iso8601(), "2024-03-01T00:00:00+05:00");
        assert_eq!(after.instant().to_iso8601_utc(), "2024-02-29T19:00:00Z");
        assert_eq!(
            at("15.06.2016 09:00").instant().to_iso8601_utc(),
            "2016-06-15T03:00:00Z"
        );
        assert_eq!(
            at("15.06.2025 09:00").instant().to_iso8601_utc(),
            "2025-06-15T04:00:00Z"
        );
        assert_eq!(at("01.01.1970 06:00").instant().utc_minutes, 0);
        // Instants order as the times happened, across the switch.
        assert!(before.instant() < repeated.instant());
        assert!(repeated.instant() < after.instant());
    }
}
