//! Stub impls emitted next to the errors of a rejected input, so that code
//! using the type (`Item::meta()`, `evidence.summary()`) compiles and the
//! user sees only the errors that matter.
//!
//! The stubs register nothing: a rejected item never reaches a run.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

/// `impl ChecklistItem` whose functions are never called (the crate does not compile).
pub(crate) fn checklist_item(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Generic items are rejected; the stub still has to satisfy the trait's
    // supertraits for any parameters, which a bound on `Self` does. A
    // non-generic type needs no bound (and a trivially false one is an error).
    let bound = if input.generics.params.is_empty() {
        quote!(#where_clause)
    } else {
        let predicates = where_clause.map(|w| &w.predicates).into_iter();
        quote!(where #(#predicates,)* Self: ::core::marker::Send + ::core::marker::Sync + 'static)
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::preflight_core::ChecklistItem for #ident #ty_generics #bound {
                fn meta() -> &'static ::preflight_core::CheckMeta {
                    ::core::unreachable!("this item failed to derive; fix the errors above")
                }

                fn from_params(
                    _: &::preflight_core::__private::Table,
                ) -> ::preflight_core::__private::Result<Self, ::preflight_core::ParamError> {
                    ::core::unreachable!("this item failed to derive; fix the errors above")
                }

                fn into_check(
                    self,
                ) -> ::preflight_core::__private::Option<::std::boxed::Box<dyn ::preflight_core::Check>> {
                    ::core::unreachable!("this item failed to derive; fix the errors above")
                }
            }
        };
    }
}

/// `impl Evidence` whose summary is never called (the crate does not compile).
pub(crate) fn evidence(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::preflight_core::Evidence for #ident #ty_generics #where_clause {
                fn summary(&self) -> ::preflight_core::__private::String {
                    ::core::unreachable!("this item failed to derive; fix the errors above")
                }
            }
        };
    }
}
