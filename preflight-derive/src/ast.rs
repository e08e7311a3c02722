//! The derive input as the macros see it: a borrowed view of the syn tree
//! that keeps `original` references for spans. Shape errors (not a struct,
//! generics, unnamed fields) are reported here.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::{Attribute, Data, DeriveInput, Expr, Fields, Ident, Lit, Meta};

use crate::attr::{self, EvidenceAttrs, ItemAttrs};
use crate::ctxt::Ctxt;

/// A `#[derive(ChecklistItem)]` input.
pub(crate) struct Item<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: ItemAttrs<'a>,
    pub(crate) shape: Shape,
    pub(crate) fields: Vec<Field<'a>>,
    /// The struct's doc comment.
    pub(crate) doc: String,
}

/// How the struct's value is written, for code that builds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `struct A { .. }`, with at least one field.
    Named,
    /// `struct A {}`.
    EmptyNamed,
    /// `struct A();`.
    EmptyTuple,
    /// `struct A;`.
    Unit,
}

/// A `#[derive(Evidence)]` input.
pub(crate) struct Evidence<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) attrs: EvidenceAttrs<'a>,
    pub(crate) fields: Vec<Field<'a>>,
}

/// A named field.
pub(crate) struct Field<'a> {
    pub(crate) original: &'a syn::Field,
    pub(crate) ident: &'a Ident,
    /// The name without `r#`: the parameter's key.
    pub(crate) name: String,
    pub(crate) doc: String,
}

impl<'a> Item<'a> {
    /// Reads the input; `None` when it is not a struct (already reported).
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::item_attrs(cx, &input.attrs);
        let data = match &input.data {
            Data::Struct(data) => data,
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "#[derive(ChecklistItem)] only supports structs; an enum cannot be one checklist item: derive it on a struct per item",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[derive(ChecklistItem)] only supports structs; use a struct whose fields are the item's parameters",
                );
                return None;
            }
        };
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "#[derive(ChecklistItem)] does not support generic parameters: items are registered when the program starts, so each must be one concrete type; make the parameters fields instead",
            );
        }
        let (shape, fields) = match &data.fields {
            Fields::Named(named) if named.named.is_empty() => (Shape::EmptyNamed, Vec::new()),
            Fields::Named(named) => (
                Shape::Named,
                named.named.iter().filter_map(Field::from_syn).collect(),
            ),
            Fields::Unnamed(unnamed) if unnamed.unnamed.is_empty() => {
                (Shape::EmptyTuple, Vec::new())
            }
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    "#[derive(ChecklistItem)] needs named fields: each field is a parameter set by its name in [checks.\"<id>\"]; write `struct Item { name: Type }`",
                );
                (Shape::EmptyTuple, Vec::new())
            }
            Fields::Unit => (Shape::Unit, Vec::new()),
        };
        Some(Item {
            original: input,
            attrs,
            shape,
            fields,
            doc: doc_comment(&input.attrs),
        })
    }

    /// The struct's name.
    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.ident
    }

    /// Where errors about the item as a whole go: the `item` of its
    /// `#[item(...)]` when there is one, else its name.
    pub(crate) fn span(&self) -> Span {
        attr_name_span(self.attrs.attr).unwrap_or_else(|| self.ident().span())
    }
}

impl<'a> Evidence<'a> {
    /// Reads the input; `None` when it is not a struct (already reported).
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::evidence_attrs(cx, &input.attrs);
        let data = match &input.data {
            Data::Struct(data) => data,
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "#[derive(Evidence)] only supports structs: evidence is a record of named values",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[derive(Evidence)] only supports structs: evidence is a record of named values",
                );
                return None;
            }
        };
        let fields = match &data.fields {
            Fields::Named(named) => named.named.iter().filter_map(Field::from_syn).collect(),
            Fields::Unnamed(_) | Fields::Unit => Vec::new(),
        };
        Some(Evidence {
            original: input,
            attrs,
            fields,
        })
    }
}

impl<'a> Evidence<'a> {
    /// The struct's name.
    pub(crate) fn ident(&self) -> &'a Ident {
        &self.original.ident
    }

    /// Where errors about the evidence as a whole go: the `evidence` of its
    /// `#[evidence(...)]` when there is one, else its name.
    pub(crate) fn span(&self) -> Span {
        attr_name_span(self.attrs.attr).unwrap_or_else(|| self.ident().span())
    }
}

/// The span of an attribute's name (`item` in `#[item(...)]`).
fn attr_name_span(attr: Option<&Attribute>) -> Option<Span> {
    attr.and_then(|attr| attr.path().get_ident())
        .map(Ident::span)
}

impl<'a> Field<'a> {
    fn from_syn(field: &'a syn::Field) -> Option<Self> {
        let ident = field.ident.as_ref()?;
        Some(Field {
            original: field,
            ident,
            name: ident.unraw().to_string(),
            doc: doc_comment(&field.attrs),
        })
    }
}

/// The text of `///` comments: lines trimmed, consecutive lines joined with a
/// space, blank lines kept as paragraph breaks. `#[doc = include_str!(..)]`
/// and other non-literal docs are skipped.
pub(crate) fn doc_comment(attrs: &[Attribute]) -> String {
    let lines = attrs.iter().filter_map(|attr| match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            Expr::Lit(expr) => match &expr.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    });
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines.flat_map(|l| l.split('\n').map(str::to_owned).collect::<Vec<_>>()) {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_become_paragraphs() {
        let input: DeriveInput = syn::parse_quote! {
            /// Sharpe ratio of the backtest
            /// exceeds the minimum.
            ///
            ///   Second paragraph.
            #[doc = include_str!("x.md")]
            struct A;
        };
        assert_eq!(
            doc_comment(&input.attrs),
            "Sharpe ratio of the backtest exceeds the minimum.\n\nSecond paragraph."
        );
        assert_eq!(doc_comment(&[]), "");
    }
}
