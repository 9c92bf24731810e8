//! "Did you mean …": the nearest known spelling of a mistyped code or field name.

/// Returns the candidate nearest to `given`, if one is near enough to be a likely typo.
///
/// A candidate equal to `given` once case and the separators `._- ` are ignored wins
/// outright (the regulation itself spells `published.Auction` and `published_Auction`);
/// otherwise the smallest edit distance of at most 1 for codes of up to 4 characters and
/// at most 2 for longer ones
/// wins, ties going to the earlier candidate so that the answer is deterministic.
pub fn nearest<'a, I>(given: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str> + Clone,
{
    let folded = fold(given);
    if folded.is_empty() {
        return None;
    }
    if let Some(same) = candidates
        .clone()
        .into_iter()
        .find(|c| fold(c) == folded && *c != given)
    {
        return Some(same);
    }
    let given_lower = given.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == given {
            continue;
        }
        // The distance is at least the difference in length: skip the full computation.
        if given_lower.chars().count().abs_diff(candidate.chars().count()) > 2 {
            continue;
        }
        let distance = edit_distance(&given_lower, &candidate.to_lowercase());
        // One edit for short codes (KZ → KZT), two for longer ones, never half the word.
        let limit = (given.chars().count().saturating_sub(1) / 2).clamp(1, 2);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '.' | '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn suggestions() {
        let lot = [
            "published_Auction",
            "publishedReceivePriceOffers",
            "considerationOfPDBByOperator",
        ];
        assert_eq!(nearest("published.Auction", lot), Some("published_Auction"));
        assert_eq!(
            nearest("published_ReceivePriceOffers", lot),
            Some("publishedReceivePriceOffers")
        );
        assert_eq!(
            nearest("considerationOfPDByOperator", lot),
            Some("considerationOfPDBByOperator")
        );
        assert_eq!(nearest("KZZ", ["KZT", "USD"]), Some("KZT"));
        assert_eq!(nearest("XYZ", ["KZT", "USD"]), None);
        assert_eq!(nearest("KZ", ["KZT", "USD"]), Some("KZT"));
        assert_eq!(nearest("x", ["t", "r", "u"]), Some("t"));
        assert_eq!(nearest("release_date", ["realese_date", "id"]), Some("realese_date"));
    }
}
