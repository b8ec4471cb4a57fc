//! The columns we read from a new-api log row, and the words new-api and its forks put
//! in export headers and in the `type` column: the raw `logs` field names, the English UI
//! labels and the Chinese UI labels. One table per question, so the CSV header, the JSON
//! row reader and the tests agree on them.

use crate::ingest::formats::row::RowKind;

/// The columns we read, in a fixed order. Everything else in a row is ignored, which is
/// also how prompts, keys and IPs stay out: we never hold them. The token name and the
/// group are read only to be hashed as the row is filed (a budget review allocates spend
/// by them; `store::labels`): their text is never kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    CreatedAt,
    Type,
    ModelName,
    Quota,
    PromptTokens,
    CompletionTokens,
    Other,
    RequestId,
    /// The row's id: unique in a table dump, `id % 1024` in the log API's pages. Never a
    /// dedupe key on its own; part of a row's identity across files (`store::overlap`).
    Id,
    /// The name of the token (API key) the request used: never the key itself.
    TokenName,
    Group,
    /// Whether the request was streamed (`true`/`false`): read only for the incident
    /// checklist (a stream row logged at start).
    IsStream,
}

pub const COLUMNS: [Column; 12] = [
    Column::CreatedAt,
    Column::Type,
    Column::ModelName,
    Column::Quota,
    Column::PromptTokens,
    Column::CompletionTokens,
    Column::Other,
    Column::RequestId,
    Column::Id,
    Column::TokenName,
    Column::Group,
    Column::IsStream,
];

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::CreatedAt => "created_at",
            Column::Type => "type",
            Column::ModelName => "model_name",
            Column::Quota => "quota",
            Column::PromptTokens => "prompt_tokens",
            Column::CompletionTokens => "completion_tokens",
            Column::Other => "other",
            Column::RequestId => "request_id",
            Column::Id => "id",
            Column::TokenName => "token_name",
            Column::Group => "group",
            Column::IsStream => "is_stream",
        }
    }

    /// Whether a header or key naming this column marks a file as a gateway log. A bare
    /// `id` does not: nearly every export has one; nor does a token name, a group or a
    /// stream flag.
    pub fn names_a_log(self) -> bool {
        !matches!(
            self,
            Column::Id | Column::TokenName | Column::Group | Column::IsStream
        )
    }

    /// Header spellings seen in new-api dumps and fork exports (see [`HEADERS`]).
    pub fn from_header(header: &str) -> Option<Column> {
        column(header)
    }

    fn required(self) -> bool {
        !matches!(
            self,
            Column::Other
                | Column::RequestId
                | Column::Type
                | Column::Id
                | Column::TokenName
                | Column::Group
                | Column::IsStream
        )
    }
}

/// Says which required columns a header lacks, so a wrong file fails once, clearly.
pub fn missing_columns(present: &[Column]) -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter(|c| c.required() && !present.contains(c))
        .map(|c| c.name())
        .collect()
}

/// Header spellings, lowercase, for each column we read. Labels of columns we do not read
/// (Details/详情, Use time/用时, First word/首字, IP) are absent on purpose: those cells are
/// skipped, which is also how prompts and IPs stay out. Token/令牌 and Group/分组 are read
/// only to be hashed (see [`Column`]).
pub const HEADERS: [(&str, Column); 33] = [
    ("created_at", Column::CreatedAt),
    ("created at", Column::CreatedAt),
    ("time", Column::CreatedAt),
    ("时间", Column::CreatedAt),
    ("type", Column::Type),
    ("类型", Column::Type),
    ("model_name", Column::ModelName),
    ("model name", Column::ModelName),
    ("model", Column::ModelName),
    ("模型", Column::ModelName),
    ("quota", Column::Quota),
    ("额度", Column::Quota),
    ("prompt_tokens", Column::PromptTokens),
    ("prompt tokens", Column::PromptTokens),
    ("prompt", Column::PromptTokens),
    ("提示", Column::PromptTokens),
    // Newer new-api screens say 输入/输出 (Input/Output) where older ones said 提示/补全.
    ("输入", Column::PromptTokens),
    ("completion_tokens", Column::CompletionTokens),
    ("completion tokens", Column::CompletionTokens),
    ("completion", Column::CompletionTokens),
    ("补全", Column::CompletionTokens),
    ("输出", Column::CompletionTokens),
    ("other", Column::Other),
    ("request_id", Column::RequestId),
    ("x-request-id", Column::RequestId),
    ("id", Column::Id),
    ("token_name", Column::TokenName),
    ("token", Column::TokenName),
    ("令牌", Column::TokenName),
    ("group", Column::Group),
    ("分组", Column::Group),
    ("用户分组", Column::Group),
    ("is_stream", Column::IsStream),
];

/// The column a header names, if we read it.
pub fn column(header: &str) -> Option<Column> {
    let header = header.trim().trim_matches('"').trim().to_lowercase();
    HEADERS
        .iter()
        .find(|(name, _)| *name == header)
        .map(|(_, column)| *column)
}

/// Lengths of the ASCII header spellings, as a bit set: lets the JSON reader settle most
/// keys (`id`, `user_id`, `content`…) with one bit test instead of a table scan.
pub const ASCII_LENGTHS: u64 = {
    let mut lengths = 0u64;
    let mut i = 0;
    while i < HEADERS.len() {
        let name = HEADERS[i].0;
        if name.is_ascii() && name.len() < 64 {
            lengths |= 1 << name.len();
        }
        i += 1;
    }
    lengths
};

/// Headers of a displayed cost (花费, "Cost", "Cost (USD)"). We do not read that column:
/// it is the quota rendered as money, rounded for display and at the site's own
/// quota-per-USD, so it cannot stand in for the quota the gateway recorded.
pub fn is_cost(header: &str) -> bool {
    let header = header.trim().trim_matches('"').trim().to_lowercase();
    matches!(
        header.as_str(),
        "花费" | "费用" | "cost" | "cost (usd)" | "cost(usd)" | "花费 (usd)" | "花费(usd)"
    )
}

/// A `type` cell as a word (the UI labels) rather than new-api's number; `word` is lowercase.
pub fn kind(word: &str) -> Option<RowKind> {
    let kind = match word {
        "consume" | "consumption" | "消费" => RowKind::Consume,
        "refund" | "退款" => RowKind::Refund,
        "error" | "错误" => RowKind::Error,
        "unknown" | "未知" | "topup" | "top-up" | "top up" | "recharge" | "充值" | "manage"
        | "management" | "管理" | "system" | "系统" => RowKind::NotUsage,
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_table() {
        let cases: [(&str, Option<Column>); 16] = [
            ("Time", Some(Column::CreatedAt)),
            (" \"时间\" ", Some(Column::CreatedAt)),
            ("Created At", Some(Column::CreatedAt)),
            ("Model", Some(Column::ModelName)),
            ("Prompt", Some(Column::PromptTokens)),
            ("输入", Some(Column::PromptTokens)),
            ("Completion Tokens", Some(Column::CompletionTokens)),
            ("输出", Some(Column::CompletionTokens)),
            ("QUOTA", Some(Column::Quota)),
            ("额度", Some(Column::Quota)),
            ("Token", Some(Column::TokenName)),
            ("令牌", Some(Column::TokenName)),
            ("Group", Some(Column::Group)),
            ("Details", None),
            ("Use time (s)", None),
            ("用时/首字", None),
        ];
        for (header, want) in cases {
            assert_eq!(column(header), want, "{header}");
        }
        for (name, _) in HEADERS {
            assert_eq!(name, name.to_lowercase(), "table entries are lowercase");
        }
        assert!(is_cost("Cost (USD)") && is_cost("花费") && !is_cost("quota"));
    }

    #[test]
    fn kind_table() {
        let cases = [
            ("消费", Some(RowKind::Consume)),
            ("consume", Some(RowKind::Consume)),
            ("错误", Some(RowKind::Error)),
            ("退款", Some(RowKind::Refund)),
            ("top-up", Some(RowKind::NotUsage)),
            ("充值", Some(RowKind::NotUsage)),
            ("管理", Some(RowKind::NotUsage)),
            ("系统", Some(RowKind::NotUsage)),
            ("spend", None),
        ];
        for (word, want) in cases {
            assert_eq!(kind(word), want, "{word}");
        }
    }
}
