//! Code generation, on input that passed every rule. On errors, the errors
//! are emitted together with the stub impls of `fallback.rs`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::ast::{self, Shape};
use crate::attr::{Applicability, Kind, Phase, Role, Section, Severity};
use crate::check::{self, ValidEvidence, ValidItem};
use crate::ctxt::Ctxt;
use crate::fallback;

/// `#[derive(ChecklistItem)]`.
pub(crate) fn checklist_item(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let item = ast::Item::from_syn(&cx, input);
    let valid = item.as_ref().and_then(|item| check::item(&cx, item));
    finish(cx, valid.as_ref().map(item_impl), || {
        fallback::checklist_item(input)
    })
}

/// `#[derive(Evidence)]`.
pub(crate) fn evidence(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let evidence = ast::Evidence::from_syn(&cx, input);
    let valid = evidence.as_ref().and_then(|e| check::evidence(&cx, e));
    finish(cx, valid.as_ref().map(evidence_impl), || {
        fallback::evidence(input)
    })
}

/// The expansion when the context holds no error; else every error and the stub impl.
fn finish(
    cx: Ctxt,
    expanded: Option<TokenStream>,
    fallback: impl FnOnce() -> TokenStream,
) -> TokenStream {
    match (cx.check(), expanded) {
        (Ok(()), Some(expanded)) => expanded,
        (Err(err), _) => {
            let mut out = err.into_compile_error();
            out.extend(fallback());
            out
        }
        // Every rule that fails reports why; this is a bug in the derive.
        (Ok(()), None) => {
            let mut out = syn::Error::new(
                proc_macro2::Span::call_site(),
                "preflight-derive rejected this input without saying why; please report this bug",
            )
            .into_compile_error();
            out.extend(fallback());
            out
        }
    }
}

fn item_impl(v: &ValidItem<'_, '_>) -> TokenStream {
    let item = v.item;
    let ident = item.ident();
    let span = ident.span();

    let id = &v.id.value;
    let title = v.title.value();
    let section = meta_path(Section::TYPE, v.section.variant());
    let group = &v.group;
    let severity = meta_path(Severity::TYPE, v.severity.variant());
    let owner = meta_path(Role::TYPE, v.owner.variant());
    let kind = meta_path(Kind::TYPE, v.kind.variant());
    let applicability = meta_path(Applicability::TYPE, v.applicability.variant());
    let phase = meta_path(Phase::TYPE, v.phase.variant());
    let timeout_ms = option(v.timeout_ms.map(Literal::u64_unsuffixed));
    let evidence_ttl_ms = option(v.evidence_ttl_ms.map(Literal::u64_unsuffixed));
    let remediation = option(v.remediation.map(|lit| Literal::string(&lit.value())));
    let description = &item.doc;

    let tags = v.tags.iter().map(syn::LitStr::value);
    let tag_count = v.tags.len();
    let refs = v.refs.iter().map(syn::LitStr::value);
    let ref_count = v.refs.len();
    let inputs = v.inputs.iter().map(syn::LitStr::value);
    let input_count = v.inputs.len();
    let param_count = item.fields.len();
    let params = item.fields.iter().map(|field| {
        let name = &field.name;
        let ty = type_name(&field.original.ty);
        let doc = &field.doc;
        quote!(::preflight_core::__private::param(#name, #ty, #doc))
    });
    // Spanned on the struct's name, so that `line!()` gives the line of the
    // definition rather than that of the derive attribute.
    let line = quote_spanned!(span=> ::core::line!());

    let from_params = from_params(item);
    let param_defaults = param_defaults(item);
    let into_check = match v.kind {
        // A missing `impl Check` shows as an unmet bound on the struct's name.
        // Only the function path carries that span: `self` keeps the
        // derive's own, so a struct named inside a `macro_rules!` still works.
        Kind::Automated => {
            let boxed = quote_spanned!(span=> ::preflight_core::__private::boxed_check::<#ident>);
            quote!(#boxed(self))
        }
        Kind::Attested => quote!(::preflight_core::__private::Option::None),
    };

    quote! {
        const _: () = {
            static __PREFLIGHT_TAGS: [::preflight_core::__private::CowStr<'static, str>; #tag_count] = [
                #(::preflight_core::__private::CowStr::Borrowed(#tags)),*
            ];
            static __PREFLIGHT_REFS: [::preflight_core::__private::CowStr<'static, str>; #ref_count] = [
                #(::preflight_core::__private::CowStr::Borrowed(#refs)),*
            ];
            static __PREFLIGHT_INPUTS: [::preflight_core::__private::CowStr<'static, str>; #input_count] = [
                #(::preflight_core::__private::CowStr::Borrowed(#inputs)),*
            ];
            static __PREFLIGHT_PARAMS: [::preflight_core::meta::ParamMeta; #param_count] = [
                #(#params),*
            ];
            static __PREFLIGHT_META: ::preflight_core::CheckMeta = ::preflight_core::__private::MetaParts {
                id: #id,
                title: #title,
                section: #section,
                group: #group,
                severity: #severity,
                owner: #owner,
                kind: #kind,
                applicability: #applicability,
                phase: #phase,
                timeout_ms: #timeout_ms,
                evidence_ttl_ms: #evidence_ttl_ms,
                tags: &__PREFLIGHT_TAGS,
                refs: &__PREFLIGHT_REFS,
                remediation: #remediation,
                description: #description,
                inputs: &__PREFLIGHT_INPUTS,
                params: &__PREFLIGHT_PARAMS,
                file: ::core::file!(),
                line: #line,
                module_path: ::core::module_path!(),
            }
            .build();

            #[automatically_derived]
            impl ::preflight_core::ChecklistItem for #ident {
                fn meta() -> &'static ::preflight_core::CheckMeta {
                    &__PREFLIGHT_META
                }

                fn from_params(
                    params: &::preflight_core::__private::Table,
                ) -> ::preflight_core::__private::Result<Self, ::preflight_core::ParamError> {
                    #from_params
                }

                #param_defaults

                fn into_check(
                    self,
                ) -> ::preflight_core::__private::Option<::std::boxed::Box<dyn ::preflight_core::Check>> {
                    #into_check
                }
            }

            ::preflight_core::__private::inventory::submit! {
                ::preflight_core::__private::Registration::new::<#ident>()
            }
        };
    }
}

/// `param_defaults`, for structs with parameters: each field of `Default`,
/// shown as TOML when its type is `Serialize`.
fn param_defaults(item: &ast::Item<'_>) -> TokenStream {
    if !matches!(item.shape, Shape::Named) {
        return TokenStream::new();
    }
    let ident = item.ident();
    let default = quote_spanned!(ident.span()=> <#ident as ::core::default::Default>::default());
    let shown = item.fields.iter().map(|field| {
        let member = field.ident;
        quote!((&::preflight_core::__private::ShowDefault(&this.#member)).show())
    });
    quote! {
        fn param_defaults() -> ::std::vec::Vec<::preflight_core::__private::Option<::preflight_core::__private::String>> {
            #[allow(unused_imports)]
            use ::preflight_core::__private::{ShowFallback as _, ShowSerialize as _};
            let this: Self = #default;
            ::std::vec![#(#shown),*]
        }
    }
}

/// The body of `from_params`: every field read over `Default`, every problem
/// collected before reporting. Structs without fields are built directly and
/// need no `Default`.
fn from_params(item: &ast::Item<'_>) -> TokenStream {
    // The static itself rather than `Self::meta()`: when the struct is not
    // `Send + Sync`, that call would repeat the unmet bound on the derive.
    let meta = quote!(&__PREFLIGHT_META);
    let value = match item.shape {
        Shape::Named => {
            // Spanned on the struct's name, so that a missing `Default` shows
            // there and not on the derive.
            let ident = item.ident();
            let default =
                quote_spanned!(ident.span()=> <#ident as ::core::default::Default>::default());
            let fields = item.fields.iter().map(|field| {
                let name = &field.name;
                let member = field.ident;
                // Spanned on the type, so that a type that cannot be read
                // from configuration shows there.
                quote_spanned!(field.original.ty.span()=> reader.field(#name, &mut this.#member);)
            });
            return quote! {
                let mut this: Self = #default;
                let mut reader = ::preflight_core::__private::Params::new(#meta, params);
                #(#fields)*
                reader.finish()?;
                ::preflight_core::__private::Result::Ok(this)
            };
        }
        Shape::EmptyNamed => quote!(Self {}),
        Shape::EmptyTuple => quote!(Self()),
        Shape::Unit => quote!(Self),
    };
    quote! {
        ::preflight_core::__private::Params::new(#meta, params).finish()?;
        ::preflight_core::__private::Result::Ok(#value)
    }
}

fn evidence_impl(v: &ValidEvidence<'_, '_>) -> TokenStream {
    let evidence = v.evidence;
    let ident = evidence.ident();
    let (impl_generics, ty_generics, where_clause) = evidence.original.generics.split_for_impl();
    let template = &v.template.lit;
    let args = v.used.iter().map(|field| {
        let name = field.ident.unraw();
        let member = field.ident;
        quote!(#name = self.#member)
    });
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::preflight_core::Evidence for #ident #ty_generics #where_clause {
                fn summary(&self) -> ::preflight_core::__private::String {
                    ::preflight_core::__private::format!(#template #(, #args)*)
                }
            }
        };
    }
}

/// `::preflight_core::meta::Type::Variant`.
fn meta_path(ty: &str, variant: &str) -> TokenStream {
    let ty = format_ident!("{}", ty);
    let variant = format_ident!("{}", variant);
    quote!(::preflight_core::meta::#ty::#variant)
}

fn option(value: Option<Literal>) -> TokenStream {
    if let Some(value) = value {
        quote!(::preflight_core::__private::Option::Some(#value))
    } else {
        quote!(::preflight_core::__private::Option::None)
    }
}

/// A type as written, with the spaces that token printing adds removed:
/// `Vec < String >` becomes `Vec<String>`; spaces stay between words and
/// after `,` and `;`.
fn type_name(ty: &syn::Type) -> String {
    let printed = quote!(#ty).to_string();
    let chars: Vec<char> = printed.chars().collect();
    let mut out = String::with_capacity(printed.len());
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '\'';
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.get(i + 1).copied();
            let keep = match (prev, next) {
                (Some(p), Some(n)) => (is_word(p) && is_word(n)) || p == ',' || p == ';',
                _ => false,
            };
            if keep {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_read_as_written() {
        let cases: [(syn::Type, &str); 7] = [
            (syn::parse_quote!(f64), "f64"),
            (syn::parse_quote!(Vec<String>), "Vec<String>"),
            (
                syn::parse_quote!(Option<Vec<std::path::PathBuf>>),
                "Option<Vec<std::path::PathBuf>>",
            ),
            (
                syn::parse_quote!(HashMap<String, f64>),
                "HashMap<String, f64>",
            ),
            (syn::parse_quote!([u8; 4]), "[u8; 4]"),
            (syn::parse_quote!(&'static str), "&'static str"),
            (syn::parse_quote!((u32, bool)), "(u32, bool)"),
        ];
        for (ty, expected) in cases {
            assert_eq!(type_name(&ty), expected);
        }
    }

    fn expand(input: &str) -> String {
        let input: DeriveInput = syn::parse_str(input).unwrap();
        checklist_item(&input).to_string()
    }

    #[test]
    fn automated_item_expands() {
        let out = expand(
            r#"
            /// Sharpe ratio exceeds the minimum.
            #[item(id = "strategy.backtest-results.sharpe-ratio", title = "Sharpe ratio > 1.0",
                   severity = "critical", owner = "trading-strategist", timeout = "30s",
                   tags = ["backtest"])]
            struct SharpeRatio { min: f64 }
            "#,
        );
        assert!(out.contains("Section :: Strategy"), "{out}");
        assert!(out.contains("\"Backtest Results\""), "{out}");
        assert!(out.contains("Some (30000)"), "{out}");
        assert!(out.contains("boxed_check"), "{out}");
        assert!(
            out.contains("reader . field (\"min\" , & mut this . min)"),
            "{out}"
        );
        assert!(
            out.contains("\"Sharpe ratio exceeds the minimum.\""),
            "{out}"
        );
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn attested_unit_item_needs_no_default_or_check() {
        let out = expand(
            r#"
            #[item(id = "legal.licensing.broker-agreement", title = "Broker agreement signed",
                   severity = "high", owner = "legal-compliance", attested)]
            struct BrokerAgreement;
            "#,
        );
        assert!(out.contains("Kind :: Attested"), "{out}");
        assert!(!out.contains("boxed_check"), "{out}");
        assert!(!out.contains("Default"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn every_error_is_reported() {
        let out = expand(
            r#"
            #[item(id = "Strategy.x", title = "t", severity = "urgent", owner = "tech-lead", colour = "red")]
            struct A { enabled: bool }
            "#,
        );
        assert_eq!(out.matches("compile_error").count(), 4, "{out}");
        assert!(out.contains("three dot-separated segments"), "{out}");
        assert!(out.contains("unknown severity `urgent`"), "{out}");
        assert!(out.contains("unknown key `colour`"), "{out}");
        assert!(
            out.contains("parameter name `enabled` is reserved"),
            "{out}"
        );
        assert!(out.contains("unreachable"), "fallback impl: {out}");
        assert!(!out.contains("inventory"), "{out}");
    }

    #[test]
    fn evidence_expands() {
        let input: DeriveInput = syn::parse_str(
            r#"
            #[evidence(summary = "Sharpe {sharpe:.2} over {observations} periods ({sharpe})")]
            struct E<T> { sharpe: f64, observations: T }
            "#,
        )
        .unwrap();
        let out = evidence(&input).to_string();
        assert!(
            out.contains("sharpe = self . sharpe , observations = self . observations)"),
            "{out}"
        );
        assert!(out.contains("impl < T >"), "{out}");
    }
}
