//! Hardcoded credentials in source files: `security.access.no-hardcoded-credentials`.
//!
//! A [`Scanner`] holds a table of [`Rule`]s (the built-in ones, see
//! [`builtin_rules`], plus rules the user configures for their broker's API
//! keys). Each rule names the keywords its matches must contain; one
//! Aho-Corasick automaton over every keyword reads a file once, and only the
//! rules whose keywords occur run their regex on it. Candidates then pass the
//! rule's own validation (a private key's body must be real base64, a
//! password must not be a placeholder, a generic assignment must reach an
//! entropy floor) and the allowlists: regexes on the secret, globs on the
//! path, and the inline comment `preflight: allow(secret)` on the line.
//!
//! A finding shows the secret masked (its first four characters and its
//! length) and a fingerprint (the first 16 hex digits of the SHA-256 of the
//! rule's ID and the secret), never the secret itself.
//!
//! Encrypted private keys (`Proc-Type: 4,ENCRYPTED`, `BEGIN ENCRYPTED PRIVATE
//! KEY`) are not reported: without their passphrase they do not grant access.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use preflight_core::evidence::FindingLevel;
use preflight_core::{Check, CheckError, ChecklistItem, Context, Evidence, Finding, Outcome};
use regex::bytes::{Captures, Regex};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The inline comment that accepts a deliberate credential on its line.
pub const ALLOW_COMMENT: &str = "preflight: allow(secret)";

/// Files larger than this are skipped (and counted as skipped).
const MAX_FILE_BYTES: u64 = 16 << 20;
/// A NUL byte within this many leading bytes marks a file as binary.
const BINARY_PROBE: usize = 8 << 10;
/// Findings listed in the evidence.
const MAX_LISTED: usize = 50;

/// What may sit right before or right after a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// Anything.
    Any,
    /// Anything but an ASCII letter (`MY_tskey-...` is a key, `xtskey-...` is not).
    NotLetter,
    /// Anything but an ASCII letter or digit.
    NotAlnum,
}

impl Edge {
    fn allows(self, byte: Option<u8>) -> bool {
        match (self, byte) {
            (Edge::Any, _) | (_, None) => true,
            (Edge::NotLetter, Some(b)) => !b.is_ascii_alphabetic(),
            (Edge::NotAlnum, Some(b)) => !b.is_ascii_alphanumeric(),
        }
    }
}

/// The validation a candidate passes beyond its regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Validate {
    /// The regex is the whole rule.
    None,
    /// A PEM private key (or a JSON string holding one): an unencrypted body of real base64.
    PrivateKey,
    /// A `name = value` assignment: see [`generic_assignment`].
    Assignment,
    /// A database URL: groups `u` and `p`, the password not a placeholder.
    DatabasePassword,
    /// A URL with basic-auth credentials: groups `u` and `p`.
    UrlPassword,
}

/// One detection rule.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rule {
    /// Stable ID, e.g. `aws-access-key-id`; findings carry it.
    pub id: String,
    /// What the rule finds.
    pub description: String,
    /// The pattern; the capture group `s`, where present, is the secret,
    /// otherwise the whole match is.
    pub regex: Regex,
    /// The rule runs on a file only if one of these occurs in it (ASCII
    /// case-insensitive); a rule without keywords runs on every file.
    pub keywords: Vec<String>,
    /// Shannon entropy (bits per character) the secret must reach.
    pub entropy: Option<f64>,
    left: Edge,
    right: Edge,
    validate: Validate,
}

/// A rule the user adds in configuration, typically for a broker's API keys:
/// `extra_rules = [{ id = "acme-broker-key", regex = "acme_[0-9a-f]{32}", keywords = ["acme_"] }]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraRule {
    /// The rule's ID, shown on its findings.
    pub id: String,
    /// The pattern; a capture group named `s` marks the secret within it.
    pub regex: String,
    /// Keywords for the pre-filter; empty runs the regex on every file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Shannon entropy (bits per character) the secret must reach.
    #[serde(default)]
    pub entropy: Option<f64>,
}

/// Why a scanner could not be built or a scan could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// A configured regex or glob does not compile.
    #[error("invalid {what} `{pattern}`: {message}")]
    Pattern {
        /// Which setting holds it (`extra_rules`, `allow_patterns`, `allow_paths`).
        what: &'static str,
        /// The pattern as configured.
        pattern: String,
        /// The compiler's reason.
        message: String,
    },
    /// A path to scan does not exist.
    #[error("path `{0}` does not exist: fix `paths` or create it")]
    MissingPath(String),
    /// A rule to disable is not known.
    #[error("unknown rule `{0}` in `disable` (see `builtin_rules` for the IDs)")]
    UnknownRule(String),
}

fn rule(
    id: &str,
    description: &str,
    regex: &str,
    keywords: &[&str],
    edges: (Edge, Edge),
    validate: Validate,
    entropy: Option<f64>,
) -> Rule {
    Rule {
        id: id.to_owned(),
        description: description.to_owned(),
        regex: Regex::new(regex).expect("built-in rule regexes compile"),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        entropy,
        left: edges.0,
        right: edges.1,
        validate,
    }
}

/// A token rule: a fixed prefix, no letter before it, no letter or digit after it.
fn token(id: &str, description: &str, regex: &str, keywords: &[&str]) -> Rule {
    rule(
        id,
        description,
        regex,
        keywords,
        (Edge::NotLetter, Edge::NotAlnum),
        Validate::None,
        None,
    )
}

static BUILTIN: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Edge::{Any, NotAlnum, NotLetter};
    // Specific rules first: where two findings overlap, the earlier rule's is kept.
    vec![
        token(
            "aws-access-key-id",
            "AWS access key ID",
            "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
            &["AKIA", "ASIA", "ABIA", "ACCA"],
        ),
        rule(
            "aws-secret-access-key",
            "AWS secret access key next to its name",
            r#"(?i)(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|aws-secret-access-key)["']?\s*(?::=|=>|=|:)\s*["']?(?-i)(?P<s>[A-Za-z0-9/+]{40})"#,
            &[
                "secret_access_key",
                "secretaccesskey",
                "secret-access-key",
                "aws_secret",
                "awssecret",
            ],
            (Any, NotAlnum),
            Validate::None,
            Some(3.0),
        ),
        rule(
            "gcp-service-account-key",
            "Google Cloud service-account key file",
            r#""private_key"\s*:\s*"(?P<s>-----BEGIN[^"]*)""#,
            &["service_account"],
            (Any, Any),
            Validate::PrivateKey,
            None,
        ),
        rule(
            "private-key",
            "PEM private key (RSA, EC, DSA, OpenSSH, PKCS#8, PGP)",
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
            &["PRIVATE KEY"],
            (Any, Any),
            Validate::PrivateKey,
            None,
        ),
        token(
            "github-token",
            "GitHub token",
            "(?:gh[pousr]_[A-Za-z0-9_]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        ),
        token(
            "gitlab-token",
            "GitLab token",
            "gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,}",
            &["glpat-", "gldt-", "glrt-", "glptt-"],
        ),
        token(
            "slack-token",
            "Slack token",
            "(?:xox[abposr]-[A-Za-z0-9-]{10,250}|xapp-[0-9]-[A-Za-z0-9-]{10,250})",
            &[
                "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xapp-",
            ],
        ),
        rule(
            "slack-webhook",
            "Slack incoming webhook URL",
            r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_]{8,}",
            &["hooks.slack.com"],
            (Any, Any),
            Validate::None,
            None,
        ),
        token(
            "stripe-secret-key",
            "Stripe secret or restricted key",
            "[sr]k_(?:live|test)_[A-Za-z0-9]{24,247}",
            &["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
        ),
        token(
            "openai-api-key",
            "OpenAI API key",
            "sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}",
            &["T3BlbkFJ"],
        ),
        token(
            "anthropic-api-key",
            "Anthropic API key",
            "sk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_-]{80,}",
            &["sk-ant-"],
        ),
        token(
            "npm-token",
            "npm access token",
            "npm_[A-Za-z0-9]{36}",
            &["npm_"],
        ),
        rule(
            "npmrc-auth-token",
            "npm registry token in .npmrc",
            r#"_authToken\s*=\s*["']?(?P<s>[A-Za-z0-9_\-.+/=]{16,})"#,
            &["_authToken"],
            (Any, Any),
            Validate::None,
            None,
        ),
        rule(
            "github-oauth-url",
            "GitHub token in a git URL (x-oauth-basic)",
            r"(?P<s>[0-9A-Za-z_]{20,}):x-oauth-basic@",
            &["x-oauth-basic"],
            (NotAlnum, Any),
            Validate::None,
            None,
        ),
        rule(
            "sendgrid-api-key",
            "SendGrid API key",
            r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
            &["SG."],
            (NotAlnum, NotAlnum),
            Validate::None,
            None,
        ),
        token(
            "shopify-token",
            "Shopify app secret or access token",
            "shp(?:ss|at|ca|pa)_[A-Za-z0-9]{32,}",
            &["shpss_", "shpat_", "shpca_", "shppa_"],
        ),
        token(
            "huggingface-token",
            "Hugging Face user access token",
            "hf_[A-Za-z]{34}",
            &["hf_"],
        ),
        token(
            "databricks-token",
            "Databricks personal access token",
            "dapi[0-9a-fA-F]{32}(?:-[0-9])?",
            &["dapi"],
        ),
        token(
            "1password-service-account-token",
            "1Password service-account token",
            "ops_eyJ[A-Za-z0-9+/=_-]{100,}",
            &["ops_"],
        ),
        token(
            "vercel-token",
            "Vercel token or key",
            "vc[piark]_[A-Za-z0-9]{24,}",
            &["vcp_", "vci_", "vca_", "vcr_", "vck_"],
        ),
        token(
            "linear-api-key",
            "Linear API key",
            "lin_api_[A-Za-z0-9]{40,}",
            &["lin_api_"],
        ),
        token(
            "notion-token",
            "Notion integration token",
            "ntn_[0-9]{11}[A-Za-z0-9]{35}",
            &["ntn_"],
        ),
        token(
            "groq-api-key",
            "Groq API key",
            "gsk_[A-Za-z0-9]{52}",
            &["gsk_"],
        ),
        token(
            "grafana-token",
            "Grafana service-account or cloud token",
            "(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})",
            &["glsa_", "glc_"],
        ),
        token(
            "tailscale-key",
            "Tailscale key",
            "tskey-[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,}",
            &["tskey-"],
        ),
        token(
            "figma-token",
            "Figma personal access token",
            "figd_[A-Za-z0-9_-]{40,}",
            &["figd_"],
        ),
        token(
            "docker-token",
            "Docker Hub personal access token",
            "dckr_pat_[A-Za-z0-9_-]{24,}",
            &["dckr_pat_"],
        ),
        token(
            "vault-token",
            "HashiCorp Vault token",
            r"hv[sbr]\.[A-Za-z0-9_-]{90,}",
            &["hvs.", "hvb.", "hvr."],
        ),
        rule(
            "cloudflare-token",
            "Cloudflare API token or key",
            "cf(?:at|ut|k)_[A-Za-z0-9]{48}",
            &["cfat_", "cfut_", "cfk_"],
            (NotAlnum, NotAlnum),
            Validate::None,
            None,
        ),
        rule(
            "azure-storage-key",
            "Azure storage account key",
            r"AccountKey=(?P<s>[A-Za-z0-9+/]{86}==)",
            &["AccountKey="],
            (Any, Any),
            Validate::None,
            None,
        ),
        rule(
            "jwt",
            "JSON Web Token",
            r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
            &["eyJ"],
            (NotAlnum, NotAlnum),
            Validate::None,
            None,
        ),
        rule(
            "secp256k1-private-key",
            "secp256k1 (Ethereum) private key",
            "0x[0-9a-fA-F]{64}",
            &["0x"],
            (NotAlnum, NotAlnum),
            Validate::None,
            Some(3.0),
        ),
        rule(
            "database-url-password",
            "database URL with an embedded password",
            r#"(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)://(?P<s>(?P<u>[^:/\s"'`@]+):(?P<p>[^\s"'`]+))@[A-Za-z0-9.\-\[]"#,
            &[
                "postgres",
                "mysql",
                "mariadb",
                "mongodb",
                "redis",
                "amqp",
                "mssql",
                "sqlserver",
            ],
            (Any, Any),
            Validate::DatabasePassword,
            None,
        ),
        rule(
            "basic-auth-url",
            "URL with basic-auth credentials",
            r#"(?i:https?|ftps?)://(?P<s>(?P<u>[^:/\s"'`@]+):(?P<p>[^\s"'`/]+))@[A-Za-z0-9.\-]+"#,
            &["://"],
            (NotLetter, Any),
            Validate::UrlPassword,
            None,
        ),
        rule(
            "generic-secret-assignment",
            "password, secret, API key or token assigned a literal",
            r#"(?i)(?P<name>[a-z0-9_.\-]*(?:password|passwd|pwd|secret|api[_\-]?key|token|private[_\-]?key|access[_\-]?key)[a-z0-9_.\-]*)["']?[ \t]*(?::=|=>|=|:)[ \t]*(?P<q1>["'`]?)(?P<s>[^\s"'`;,]{8,256})(?P<q2>["'`]?)"#,
            &[
                "password",
                "passwd",
                "pwd",
                "secret",
                "api_key",
                "api-key",
                "apikey",
                "token",
                "private_key",
                "privatekey",
                "private-key",
                "access_key",
                "accesskey",
                "access-key",
            ],
            (Any, Any),
            Validate::Assignment,
            Some(3.5),
        ),
    ]
});

/// The built-in rules, in priority order.
#[must_use]
pub fn builtin_rules() -> &'static [Rule] {
    &BUILTIN
}

/// What a [`Scanner`] is built from beyond the built-in rules.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Rules added by the user (broker API keys, internal token formats).
    pub extra_rules: Vec<ExtraRule>,
    /// Regexes on the secret: a match accepts it.
    pub allow_patterns: Vec<String>,
    /// IDs of built-in rules turned off.
    pub disable: Vec<String>,
}

impl ScanOptions {
    /// The options of a scanner with only the built-in rules.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds user rules.
    #[must_use]
    pub fn with_extra_rules(mut self, rules: impl IntoIterator<Item = ExtraRule>) -> Self {
        self.extra_rules.extend(rules);
        self
    }

    /// Adds regexes that accept the secrets they match.
    #[must_use]
    pub fn with_allow_patterns(mut self, patterns: impl IntoIterator<Item = String>) -> Self {
        self.allow_patterns.extend(patterns);
        self
    }

    /// Turns built-in rules off by ID.
    #[must_use]
    pub fn with_disabled(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.disable.extend(ids);
        self
    }
}

/// One credential found in a text, located by byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Match {
    /// The rule's ID.
    pub rule: String,
    /// 1-based line of the secret's first character.
    pub line: u32,
    /// 1-based column (in characters) of the secret's first character.
    pub column: u32,
    /// The first four characters, `…` and the length: never the secret.
    pub masked: String,
    /// First 16 hex digits of SHA-256(rule ID, NUL, secret).
    pub fingerprint: String,
}

/// A finding of a tree scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SecretFinding {
    /// The rule's ID.
    pub rule: String,
    /// The file, relative to the scanned root, with `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// The secret masked.
    pub masked: String,
    /// The fingerprint, stable across runs and line moves.
    pub fingerprint: String,
}

/// The result of scanning a tree.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TreeScan {
    /// Every finding, sorted by file, line and column.
    pub findings: Vec<SecretFinding>,
    /// Text files read.
    pub files_scanned: u64,
    /// Bytes of those files.
    pub bytes_scanned: u64,
    /// Files not read: binary, larger than 16 MiB, or unreadable.
    pub files_skipped: u64,
}

/// The rule table compiled: rules, the keyword automaton and the allowlist.
#[derive(Debug, Clone)]
pub struct Scanner {
    rules: Vec<Rule>,
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the rules it triggers.
    triggers: Vec<Vec<usize>>,
    /// Rules without keywords: they run on every file.
    always: Vec<usize>,
    allow: Vec<Regex>,
}

static DEFAULT_SCANNER: LazyLock<Scanner> =
    LazyLock::new(|| Scanner::new(&ScanOptions::default()).expect("the built-in rules compile"));

impl Default for Scanner {
    fn default() -> Self {
        DEFAULT_SCANNER.clone()
    }
}

impl Scanner {
    /// Compiles the built-in rules (less the disabled ones) and the user's.
    pub fn new(options: &ScanOptions) -> Result<Self, ScanError> {
        for id in &options.disable {
            if !BUILTIN.iter().any(|r| &r.id == id) {
                return Err(ScanError::UnknownRule(id.clone()));
            }
        }
        let mut rules: Vec<Rule> = BUILTIN
            .iter()
            .filter(|r| !options.disable.contains(&r.id))
            .cloned()
            .collect();
        // User rules go before the generic assignment rule, so that their
        // findings win where both match the same value.
        let generic = rules.len().saturating_sub(1);
        for (i, extra) in options.extra_rules.iter().enumerate() {
            let regex = Regex::new(&extra.regex).map_err(|e| ScanError::Pattern {
                what: "extra_rules",
                pattern: extra.regex.clone(),
                message: e.to_string(),
            })?;
            rules.insert(
                generic + i,
                Rule {
                    id: extra.id.clone(),
                    description: format!("user rule `{}`", extra.id),
                    regex,
                    keywords: extra.keywords.clone(),
                    entropy: extra.entropy,
                    left: Edge::Any,
                    right: Edge::Any,
                    validate: Validate::None,
                },
            );
        }
        let allow = options
            .allow_patterns
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|e| ScanError::Pattern {
                    what: "allow_patterns",
                    pattern: p.clone(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut keywords: Vec<String> = Vec::new();
        let mut triggers: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                let lower = keyword.to_ascii_lowercase();
                if let Some(at) = keywords.iter().position(|k| *k == lower) {
                    triggers[at].push(index);
                } else {
                    keywords.push(lower);
                    triggers.push(vec![index]);
                }
            }
        }
        let automaton = if keywords.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .map_err(|e| ScanError::Pattern {
                        what: "extra_rules",
                        pattern: keywords.join(", "),
                        message: e.to_string(),
                    })?,
            )
        };
        Ok(Scanner {
            rules,
            automaton,
            triggers,
            always,
            allow,
        })
    }

    /// The rules in use, in priority order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Finds the credentials in one text.
    ///
    /// ```
    /// use preflight_probes::code::secrets::Scanner;
    ///
    /// let scanner = Scanner::default();
    /// // Built from pieces so that this file holds no credential itself.
    /// let key = format!("AKIA{}", "Q7ZR2M4XW9KTB3LP");
    /// let text = format!("region = \"eu-west-1\"\naccess_key_id = \"{key}\"\n");
    /// let found = scanner.scan(text.as_bytes());
    /// assert_eq!(found.len(), 1);
    /// assert_eq!(found[0].rule, "aws-access-key-id");
    /// assert_eq!((found[0].line, found[0].column), (2, 18));
    /// assert_eq!(found[0].masked, "AKIA… (20 chars)");
    /// assert!(!format!("{found:?}").contains(&key));
    ///
    /// // The inline comment accepts a deliberate one.
    /// let allowed = format!("key = \"{key}\" # preflight: allow(secret)\n");
    /// assert!(scanner.scan(allowed.as_bytes()).is_empty());
    /// ```
    #[must_use]
    pub fn scan(&self, text: &[u8]) -> Vec<Match> {
        let mut hit = vec![false; self.rules.len()];
        for &i in &self.always {
            hit[i] = true;
        }
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(text) {
                for &i in &self.triggers[m.pattern().as_usize()] {
                    hit[i] = true;
                }
            }
        }
        // (start, end, rule)
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if !hit[index] {
                continue;
            }
            for caps in rule.regex.captures_iter(text) {
                let Some(span) = caps.name("s").or_else(|| caps.get(0)) else {
                    continue;
                };
                let (start, end) = (span.start(), span.end());
                let before = start.checked_sub(1).map(|i| text[i]);
                if !rule.left.allows(before) || !rule.right.allows(text.get(end).copied()) {
                    continue;
                }
                let secret = &text[start..end];
                if !validate(rule.validate, &caps, text)
                    || rule
                        .entropy
                        .is_some_and(|floor| !entropy_enough(secret, floor))
                    || self.allow.iter().any(|re| re.is_match(secret))
                    || line_of(text, start)
                        .windows(ALLOW_COMMENT.len())
                        .any(|w| w == ALLOW_COMMENT.as_bytes())
                {
                    continue;
                }
                candidates.push((start, end, index));
            }
        }
        // At one start, the earlier rule wins.
        candidates.sort_unstable_by_key(|&(start, end, index)| (start, index, end));
        let mut out = Vec::new();
        let mut covered = 0;
        let (mut line, mut line_start, mut scanned) = (1u32, 0usize, 0usize);
        for (start, end, index) in candidates {
            if start < covered {
                continue;
            }
            covered = end;
            for nl in memchr::memchr_iter(b'\n', &text[scanned..start]) {
                line += 1;
                line_start = scanned + nl + 1;
            }
            scanned = start;
            let column = String::from_utf8_lossy(&text[line_start..start])
                .chars()
                .count()
                + 1;
            let rule = &self.rules[index];
            let secret = &text[start..end];
            out.push(Match {
                rule: rule.id.clone(),
                line,
                column: u32::try_from(column).unwrap_or(u32::MAX),
                masked: mask(secret),
                fingerprint: fingerprint(&rule.id, secret),
            });
        }
        out
    }

    /// Scans `paths` (relative to `root`; the root itself when empty) as git
    /// would see them: `.gitignore` honoured even outside a repository,
    /// `.git` itself skipped, binary and oversized files skipped, on every
    /// core. Files matching an `allow_paths` glob are not read.
    pub fn scan_tree(
        &self,
        root: &Path,
        paths: &[String],
        allow_paths: &[String],
    ) -> Result<TreeScan, ScanError> {
        let mut starts: Vec<PathBuf> = Vec::new();
        for path in paths {
            let full = root.join(path);
            if !full.exists() {
                return Err(ScanError::MissingPath(path.clone()));
            }
            starts.push(full);
        }
        if starts.is_empty() {
            starts.push(root.to_path_buf());
        }
        let mut overrides = OverrideBuilder::new(root);
        for glob in allow_paths {
            overrides
                .add(&format!("!{glob}"))
                .map_err(|e| ScanError::Pattern {
                    what: "allow_paths",
                    pattern: glob.clone(),
                    message: e.to_string(),
                })?;
        }
        let overrides = overrides.build().map_err(|e| ScanError::Pattern {
            what: "allow_paths",
            pattern: allow_paths.join(", "),
            message: e.to_string(),
        })?;
        let mut builder = WalkBuilder::new(&starts[0]);
        for start in &starts[1..] {
            builder.add(start);
        }
        builder
            .hidden(false)
            .require_git(false)
            .overrides(overrides)
            .filter_entry(|entry| entry.file_name() != ".git");
        let total = Mutex::new(TreeScan::default());
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    lock(&total).files_skipped += 1;
                    return WalkState::Continue;
                };
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let path = entry.path();
                let data = match entry.metadata() {
                    Ok(meta) if meta.len() <= MAX_FILE_BYTES => std::fs::read(path).ok(),
                    _ => None,
                };
                let Some(data) =
                    data.filter(|d| memchr::memchr(0, &d[..d.len().min(BINARY_PROBE)]).is_none())
                else {
                    lock(&total).files_skipped += 1;
                    return WalkState::Continue;
                };
                let found = self.scan(&data);
                let file = relative(root, path);
                let mut total = lock(&total);
                total.files_scanned += 1;
                total.bytes_scanned += data.len() as u64;
                total
                    .findings
                    .extend(found.into_iter().map(|m| SecretFinding {
                        rule: m.rule,
                        file: file.clone(),
                        line: m.line,
                        column: m.column,
                        masked: m.masked,
                        fingerprint: m.fingerprint,
                    }));
                WalkState::Continue
            })
        });
        let mut scan = total
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        scan.findings.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.rule).cmp(&(&b.file, b.line, b.column, &b.rule))
        });
        Ok(scan)
    }
}

fn lock(total: &Mutex<TreeScan>) -> std::sync::MutexGuard<'_, TreeScan> {
    total
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    } else {
        parts.join("/")
    }
}

/// The line holding byte `at`.
fn line_of(text: &[u8], at: usize) -> &[u8] {
    let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// The first four characters, an ellipsis and the length in characters.
fn mask(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let head: String = text.chars().take(4).collect();
    format!("{head}… ({} chars)", text.chars().count())
}

/// First 16 hex digits of SHA-256 over the rule ID, a NUL and the secret.
fn fingerprint(rule: &str, secret: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    hasher.update(secret);
    let digest = hasher.finalize();
    let mut out = String::with_capacity(16);
    for byte in &digest[..8] {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Shannon entropy in bits per byte.
fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "lengths are at most 16 MiB, exact in f64"
    )]
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Whether `secret` reaches the entropy `floor`. A string of `n` characters
/// has at most log2(n) bits per character, so short secrets are held to 90 %
/// of that bound where it is below the floor.
fn entropy_enough(secret: &[u8], floor: f64) -> bool {
    #[expect(clippy::cast_precision_loss, reason = "secrets are short")]
    let bound = (secret.len() as f64).log2() * 0.9;
    shannon_entropy(secret) >= floor.min(bound)
}

/// Words that mark a value as a placeholder, anywhere in it.
const PLACEHOLDER_PARTS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "dummy",
    "your_",
    "your-",
    "yourpass",
    "replace",
    concat!("xx", "xx"),
    "****",
    "...",
    "<",
    ">",
    "${",
    "{{",
    "$(",
    "%(",
    "not_a_real",
    "notreal",
    "fake",
    "sample",
    "redacted",
    "insert_",
    "enter_",
];

/// Values that are placeholders on their own.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "admin",
    "root",
    "test",
    "pwd",
    "mypassword",
    "none",
    "null",
    "undefined",
    "string",
    "default",
    "guest",
    "letmein",
    "qwerty",
    "123456",
];

/// Whether a value holds a placeholder's mark (`${`, `your_`, `example`, ...):
/// user names are judged by this only, as `root` and `admin` are real ones.
fn has_placeholder_part(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p))
        || lower.starts_with('$')
        || lower.starts_with('{')
        || lower.starts_with('%')
}

/// Whether a value is a placeholder rather than a credential.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) || has_placeholder_part(value) {
        return true;
    }
    // A word built around "password" with nothing else in it.
    if lower.contains("password") && lower.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
        return true;
    }
    let mut bytes = lower.bytes();
    let first = bytes.next();
    first.is_some_and(|f| bytes.all(|b| b == f))
}

fn group<'t>(caps: &Captures<'t>, name: &str) -> &'t [u8] {
    caps.name(name).map_or(&[][..], |m| m.as_bytes())
}

fn validate(kind: Validate, caps: &Captures<'_>, text: &[u8]) -> bool {
    match kind {
        Validate::None => true,
        Validate::PrivateKey => {
            let whole = caps
                .name("s")
                .or_else(|| caps.get(0))
                .map_or(&[][..], |m| m.as_bytes());
            private_key_body(whole)
        }
        Validate::Assignment => generic_assignment(caps, text),
        Validate::DatabasePassword | Validate::UrlPassword => {
            let user = String::from_utf8_lossy(group(caps, "u"));
            let pass = String::from_utf8_lossy(group(caps, "p"));
            let min = if kind == Validate::DatabasePassword {
                6
            } else {
                4
            };
            let distinct = {
                let mut b: Vec<u8> = pass.bytes().collect();
                b.sort_unstable();
                b.dedup();
                b.len()
            };
            pass.chars().count() >= min
                && distinct >= 3
                && pass != user
                && !is_placeholder(&pass)
                && !has_placeholder_part(&user)
        }
    }
}

/// A PEM block (possibly JSON-escaped) whose body is unencrypted and real
/// base64: at least 64 base64 characters and nothing else but headers.
fn private_key_body(block: &[u8]) -> bool {
    let text = String::from_utf8_lossy(block)
        .replace("\\n", "\n")
        .replace("\\r", "");
    if text.contains("ENCRYPTED") {
        return false;
    }
    let mut body = 0usize;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----") {
            // Header or footer; a single-line JSON value keeps its body after the header.
            let inner = line.trim_start_matches('-');
            let after = inner.find("-----").map_or("", |i| &inner[i + 5..]);
            let before_end = after.find("-----").map_or(after, |i| &after[..i]);
            if !before_end.bytes().all(is_base64) {
                return false;
            }
            body += before_end.len();
            continue;
        }
        if line.contains(':') {
            continue;
        }
        if !line.bytes().all(is_base64) {
            return false;
        }
        body += line.len();
    }
    body >= 64
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
}

/// Name suffixes of settings that hold no secret (`token_url`, `password_file`).
const HARMLESS_SUFFIXES: &[&str] = &[
    "_url",
    "_uri",
    "_path",
    "_file",
    "_dir",
    "_name",
    "_id",
    "_type",
    "_endpoint",
    "_header",
    "_prefix",
    "_env",
    "_var",
    "_len",
    "_length",
    "_count",
    "_field",
    "_kind",
    "_policy",
];

/// A `name = value` assignment holds a literal credential: the name is not a
/// setting about the secret (`token_url`) nor one a specific rule owns (AWS
/// secrets are judged by their own rule); the value is quoted, or the
/// assignment starts its line (`.env`, YAML, shell); the value is not a
/// placeholder, a URL, a path, a call or a reference to another name.
fn generic_assignment(caps: &Captures<'_>, text: &[u8]) -> bool {
    let name = String::from_utf8_lossy(group(caps, "name")).to_ascii_lowercase();
    let value = String::from_utf8_lossy(group(caps, "s"));
    let (q1, q2) = (group(caps, "q1"), group(caps, "q2"));
    if (name.contains("aws") && name.contains("secret")) || name.contains("secret_access_key") {
        return false;
    }
    if HARMLESS_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return false;
    }
    if is_placeholder(&value)
        || value.contains("://")
        || value.starts_with(['/', '.', '~', '(', '[', '&', '*', '@', '#'])
        || value.contains('(')
    {
        return false;
    }
    if q1.is_empty() {
        if !q2.is_empty() {
            return false;
        }
        let Some(name_match) = caps.name("name") else {
            return false;
        };
        let line = line_of(text, name_match.start());
        let line_start = memchr::memrchr(b'\n', &text[..name_match.start()]).map_or(0, |i| i + 1);
        let lead = String::from_utf8_lossy(&text[line_start..name_match.start()]);
        let lead = lead.trim();
        if !(lead.is_empty() || lead == "export" || lead == "-") || line.is_empty() {
            return false;
        }
        // A reference to another name, not a literal.
        let identifier = value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':'));
        let has_digit = value.bytes().any(|b| b.is_ascii_digit());
        if identifier && (value.contains('.') || value.contains("::") || !has_digit) {
            return false;
        }
    } else if q1 != q2 {
        return false;
    }
    true
}

/// Evidence of the credential scan.
#[derive(Evidence, Serialize)]
#[evidence(summary = "{count} credentials in {files_scanned} files ({bytes_scanned} bytes)")]
struct SecretsEvidence {
    count: usize,
    files_scanned: u64,
    bytes_scanned: u64,
    files_skipped: u64,
    /// The first 50, sorted by file, line and column.
    findings: Vec<SecretFinding>,
    by_rule: BTreeMap<String, usize>,
}

/// No credential is hardcoded in the project's files: no access key, token,
/// private key, database password or literal secret assignment, except where
/// allowed on purpose (by path, by pattern or inline).
#[derive(ChecklistItem, Debug, Clone, Default)]
#[item(
    id = "security.access.no-hardcoded-credentials",
    title = "No hardcoded credentials in code",
    group = "Access Control",
    severity = "critical",
    owner = "security-lead",
    remediation = "move each credential to the secrets manager or the environment, rotate it (it is in the history), and mark deliberate test keys with `preflight: allow(secret)`"
)]
pub struct NoHardcodedSecrets {
    /// Paths to scan, relative to the project root (the root when empty).
    pub paths: Vec<String>,
    /// Globs of paths not scanned (fixtures of test keys, vendored files).
    pub allow_paths: Vec<String>,
    /// Regexes on the secret: a match accepts it.
    pub allow_patterns: Vec<String>,
    /// Rules for the broker's or the organisation's own key formats.
    pub extra_rules: Vec<ExtraRule>,
    /// Built-in rules turned off, by ID.
    pub disable: Vec<String>,
    /// Findings tolerated.
    pub max: usize,
}

impl Check for NoHardcodedSecrets {
    fn run(&self, cx: &Context) -> Result<Outcome, CheckError> {
        let options = ScanOptions::new()
            .with_extra_rules(self.extra_rules.iter().cloned())
            .with_allow_patterns(self.allow_patterns.iter().cloned())
            .with_disabled(self.disable.iter().cloned());
        let scanner = Scanner::new(&options).map_err(|e| CheckError::Other(e.to_string()))?;
        let scan = scanner
            .scan_tree(cx.root(), &self.paths, &self.allow_paths)
            .map_err(|e| CheckError::Other(e.to_string()))?;
        if scan.files_scanned == 0 {
            return Err(CheckError::Other(format!(
                "no file was scanned under `{}`: check `paths` and `allow_paths`",
                cx.root().display()
            )));
        }
        let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
        for f in &scan.findings {
            *by_rule.entry(f.rule.clone()).or_default() += 1;
        }
        let count = scan.findings.len();
        let findings: Vec<Finding> = scan
            .findings
            .iter()
            .map(|f| Finding {
                rule: f.rule.clone(),
                message: format!("{} {} (fingerprint {})", f.rule, f.masked, f.fingerprint),
                level: FindingLevel::Error,
                file: f.file.clone(),
                line: f.line,
                column: f.column,
            })
            .collect();
        let evidence = SecretsEvidence {
            count,
            files_scanned: scan.files_scanned,
            bytes_scanned: scan.bytes_scanned,
            files_skipped: scan.files_skipped,
            findings: scan.findings.iter().take(MAX_LISTED).cloned().collect(),
            by_rule,
        };
        let outcome = if count <= self.max {
            Outcome::pass(format!(
                "no hardcoded credential in {} files{}",
                scan.files_scanned,
                if count > 0 {
                    format!(" beyond the {count} tolerated")
                } else {
                    String::new()
                }
            ))
        } else {
            let first = &scan.findings[0];
            Outcome::fail(format!(
                "{count} hardcoded credentials (at most {}); first {} at {}:{}:{}",
                self.max, first.rule, first.file, first.line, first.column
            ))
        };
        Ok(outcome.with_evidence(&evidence).with_findings(findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(text: &str) -> Vec<String> {
        Scanner::default()
            .scan(text.as_bytes())
            .into_iter()
            .map(|m| m.rule)
            .collect()
    }

    /// A made-up secret body of `n` mixed characters.
    fn body(n: usize) -> String {
        "Zq8Xw3Lm7Np2Rt5Vb9Kc4Hd6Jf1Gs0Ty"
            .chars()
            .cycle()
            .take(n)
            .collect()
    }

    #[test]
    fn builtin_rules_are_unique_and_have_keywords() {
        let mut ids: Vec<&str> = builtin_rules().iter().map(|r| r.id.as_str()).collect();
        assert!(builtin_rules().iter().all(|r| !r.keywords.is_empty()));
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn each_rule_finds_its_shape() {
        let cases: Vec<(&str, String)> = vec![
            (
                "aws-access-key-id",
                format!("id {}{}", "AKIA", "Z".repeat(16)),
            ),
            (
                "aws-secret-access-key",
                format!("AWS_SECRET_ACCESS_KEY = {}", body(40)),
            ),
            ("github-token", format!("{}_{}", "ghp", body(36))),
            ("gitlab-token", format!("{}-{}", "glpat", body(20))),
            (
                "slack-token",
                format!("{}-{}-{}", "xoxb", "2398475486", body(20)),
            ),
            (
                "slack-webhook",
                format!("https://{}/services/T1/B2/{}", "hooks.slack.com", body(24)),
            ),
            ("stripe-secret-key", format!("{}_{}", "sk_live", body(24))),
            (
                "openai-api-key",
                format!("sk-proj-{}{}{}", body(24), "T3BlbkFJ", body(24)),
            ),
            (
                "anthropic-api-key",
                format!("{}-api03-{}", "sk-ant", body(93)),
            ),
            ("npm-token", format!("{}_{}", "npm", body(36))),
            (
                "sendgrid-api-key",
                format!("{}.{}.{}", "SG", body(22), body(43)),
            ),
            (
                "huggingface-token",
                format!("{}_{}", "hf", "abcdefghijklmnopqrstuvwxyzABCDEFGH"),
            ),
            (
                "databricks-token",
                format!("{}{}", "dapi", "0123456789abcdef".repeat(2)),
            ),
            ("groq-api-key", format!("{}_{}", "gsk", body(52))),
            (
                "tailscale-key",
                format!("{}-auth-{}-{}", "tskey", body(12), body(24)),
            ),
            ("vault-token", format!("{}.{}", "hvs", body(95))),
            (
                "jwt",
                format!("{0}{1}.{0}{2}.{3}", "eyJ", body(20), body(30), body(40)),
            ),
            (
                "database-url-password",
                format!("postgres://app:{}@db.internal:5432/x", "Tr0ub4dor3x"),
            ),
            (
                "basic-auth-url",
                format!("https://deploy:{}@ci.example.net/", "Tr0ub4dor3x"),
            ),
            (
                "generic-secret-assignment",
                format!("let api_key = \"{}\";", body(24)),
            ),
            (
                "generic-secret-assignment",
                format!("DB_PASSWORD={}", body(16)),
            ),
        ];
        for (rule, text) in &cases {
            let found = rules_of(text);
            // The text is made up, but print only the rule on failure.
            assert_eq!(found, vec![(*rule).to_owned()], "rule {rule}");
        }
    }

    #[test]
    fn private_keys_need_a_real_unencrypted_body() {
        let begin = format!("-----BEGIN {} KEY-----", "RSA PRIVATE");
        let end = format!("-----END {} KEY-----", "RSA PRIVATE");
        let real = format!("{begin}\n{}\n{}\n{end}\n", body(64), body(40));
        assert_eq!(rules_of(&real), ["private-key"]);
        for filler in [
            "x".repeat(3).as_str(),
            "***",
            "...",
            "YWJjZGVmZ2hpamtsbW5vcA==",
        ] {
            assert!(
                rules_of(&format!("{begin}\n{filler}\n{end}\n")).is_empty(),
                "{filler}"
            );
        }
        let encrypted = format!("{begin}\nProc-Type: 4,ENCRYPTED\n\n{}\n{end}\n", body(64));
        assert!(rules_of(&encrypted).is_empty());
        // JSON-escaped, as in a service-account key file.
        let json = format!(
            "{{\"type\": \"service_account\", \"private_key\": \"{}\\n{}\\n{}\\n\"}}",
            begin.replace("RSA ", ""),
            body(64),
            end.replace("RSA ", "")
        );
        assert_eq!(rules_of(&json), ["gcp-service-account-key"]);
    }

    #[test]
    fn masks_and_fingerprints_never_show_the_secret() {
        let secret = format!("{}_{}", "ghp", body(36));
        let found = Scanner::default().scan(format!("x = 1\n  t: {secret}\n").as_bytes());
        assert_eq!(found.len(), 1);
        let m = &found[0];
        assert_eq!((m.line, m.column), (2, 6));
        assert_eq!(m.masked, "ghp_… (40 chars)");
        assert_eq!(m.fingerprint.len(), 16);
        assert_eq!(
            m.fingerprint,
            fingerprint("github-token", secret.as_bytes())
        );
        assert!(!format!("{m:?}").contains(&secret[4..]));
    }

    #[test]
    fn allowlists_accept_deliberate_credentials() {
        let secret = format!("{}_{}", "gsk", body(52));
        let text = format!("GROQ_API_KEY={secret}\n");
        assert_eq!(rules_of(&text), ["groq-api-key"]);
        let by_pattern =
            Scanner::new(&ScanOptions::new().with_allow_patterns([format!("^{secret}$")])).unwrap();
        assert!(by_pattern.scan(text.as_bytes()).is_empty());
        assert!(rules_of(&format!("GROQ_API_KEY={secret} # {ALLOW_COMMENT}\n")).is_empty());
        let disabled = Scanner::new(&ScanOptions::new().with_disabled([
            "groq-api-key".to_owned(),
            "generic-secret-assignment".to_owned(),
        ]))
        .unwrap();
        assert!(disabled.scan(text.as_bytes()).is_empty());
        assert!(matches!(
            Scanner::new(&ScanOptions::new().with_disabled(["nope".to_owned()])),
            Err(ScanError::UnknownRule(_))
        ));
    }

    #[test]
    fn extra_rules_find_broker_keys() {
        let rule = ExtraRule {
            id: "acme-broker-key".to_owned(),
            regex: "acme_live_(?P<s>[0-9a-f]{32})".to_owned(),
            keywords: vec!["acme_live_".to_owned()],
            entropy: None,
        };
        let scanner = Scanner::new(&ScanOptions::new().with_extra_rules([rule])).unwrap();
        let text = format!("key: acme_live_{}\n", "0123456789abcdef".repeat(2));
        let found = scanner.scan(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "acme-broker-key");
        assert_eq!(found[0].column, 16);
    }

    #[test]
    fn placeholders_and_low_entropy_values_pass() {
        for text in [
            "password = \"changeme\"",
            "API_KEY=${API_KEY}",
            "token: <your token here>",
            &format!("secret = \"{}\"", "x".repeat(16)),
            "api_key = \"example-key-0000\"",
            "password = \"aaaaaaaaaaaa\"",
            "token = self.next_token()",
            "let tokens: TokenStream = quote::quote!();",
            "PASSWORD=SOME_OTHER_SETTING",
            "postgres://user:password@localhost/db",
            "mysql://app:${DB_PASSWORD}@db/app",
            &format!("https://user:{}@example.com", "x".repeat(4)),
            "DOCKER_TOKEN=not_a_real_token",
        ] {
            assert!(rules_of(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn entropy_floor_scales_with_length() {
        assert!(shannon_entropy(b"aaaa") < 0.01);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy_enough(b"Zq8Xw3Lm7Np2Rt5V", 3.5));
        assert!(!entropy_enough(b"abababababababab", 3.5));
    }
}
