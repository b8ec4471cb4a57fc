//! The p95 of a baseline, by the nearest-rank method: the values sorted ascending, the
//! p95 is the value at rank ⌈0.95 × n⌉ (1-based). It is always one of the values
//! (exact, never interpolated); ties need no rule, as equal values are interchangeable
//! at any rank. With fewer than 20 values, ⌈0.95 × n⌉ = n: the p95 is the maximum,
//! and the output says so.

/// A value at a rank of a sorted list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ranked<T> {
    pub value: T,
    /// 1-based.
    pub rank: usize,
    pub of: usize,
}

/// The rank of the p95 among `n` values: ⌈95 × n ÷ 100⌉, at least 1.
pub fn p95_rank(n: usize) -> usize {
    (n.saturating_mul(95).div_ceil(100)).max(1)
}

/// The p95 of `values` (in any order); None when there are none.
pub fn p95<T: Ord + Copy>(values: &[T]) -> Option<Ranked<T>> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = p95_rank(sorted.len());
    Some(Ranked {
        value: sorted[rank - 1],
        rank,
        of: sorted.len(),
    })
}

/// How the p95 of `n` values was found, for the reader.
pub fn method(n: usize) -> String {
    match n {
        0 => "no values: no p95".into(),
        n if n < 20 => format!(
            "nearest rank: p95 of {n} value{} is the maximum (rank {n} of {n})",
            if n == 1 { "" } else { "s" }
        ),
        n => format!(
            "nearest rank: p95 of {n} values is the value at rank {} (⌈0.95 × {n}⌉) in ascending order",
            p95_rank(n)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p95_by_nearest_rank_on_known_distributions() {
        let hundred: Vec<u64> = (1..=100).collect();
        let twenty: Vec<u64> = (1..=20).rev().collect();
        // (name, values, the p95 and its rank)
        type Case = (&'static str, Vec<u64>, Option<(u64, usize)>);
        let cases: Vec<Case> = vec![
            ("none", vec![], None),
            ("one value", vec![7], Some((7, 1))),
            // Fewer than 20: ⌈0.95 × 7⌉ = ⌈6.65⌉ = 7, the maximum.
            ("seven values", vec![5, 1, 9, 3, 3, 2, 8], Some((9, 7))),
            // ⌈0.95 × 19⌉ = ⌈18.05⌉ = 19: still the maximum.
            ("nineteen values", (1..=19).collect(), Some((19, 19))),
            // ⌈0.95 × 20⌉ = 19: the second largest, whatever the input order.
            ("twenty values, reversed", twenty, Some((19, 19))),
            // ⌈0.95 × 100⌉ = 95.
            ("1 to 100", hundred, Some((95, 95))),
            // Ties: 21 values, ⌈19.95⌉ = 20; ranks 18..21 all hold 50.
            (
                "ties at the top",
                [vec![10; 17], vec![50; 4]].concat(),
                Some((50, 20)),
            ),
            // 40 values, ⌈38⌉ = 38: rank 38 is the last 3 before two 9s.
            (
                "ties below the top",
                [vec![1; 30], vec![3; 8], vec![9; 2]].concat(),
                Some((3, 38)),
            ),
            ("all equal", vec![4; 25], Some((4, 24))),
        ];
        for (name, values, want) in cases {
            let got = p95(&values).map(|r| (r.value, r.rank));
            assert_eq!(got, want, "{name}");
        }
        assert_eq!(
            method(7),
            "nearest rank: p95 of 7 values is the maximum (rank 7 of 7)"
        );
        assert_eq!(
            method(1),
            "nearest rank: p95 of 1 value is the maximum (rank 1 of 1)"
        );
        assert_eq!(method(40), "nearest rank: p95 of 40 values is the value at rank 38 (⌈0.95 × 40⌉) in ascending order");
    }

    #[test]
    fn the_rank_is_exact_at_the_edges() {
        for (n, rank) in [
            (1, 1),
            (19, 19),
            (20, 19),
            (21, 20),
            (39, 38),
            (40, 38),
            (41, 39),
        ] {
            assert_eq!(p95_rank(n), rank, "{n}");
        }
    }

    proptest::proptest! {
        /// Nearest rank, whatever the values: the p95 is one of them, at least
        /// ⌈0.95 × n⌉ values are at or below it, and fewer than that are below it.
        #[test]
        fn the_p95_is_a_value_at_its_rank(values in proptest::collection::vec(0u64..50, 1..200)) {
            let ranked = p95(&values).unwrap();
            let at_or_below = values.iter().filter(|v| **v <= ranked.value).count();
            let below = values.iter().filter(|v| **v < ranked.value).count();
            proptest::prop_assert!(values.contains(&ranked.value));
            proptest::prop_assert!(at_or_below >= ranked.rank && below < ranked.rank);
            proptest::prop_assert_eq!(ranked.of, values.len());
            if values.len() < 20 {
                proptest::prop_assert_eq!(Some(&ranked.value), values.iter().max());
            }
        }
    }
}
