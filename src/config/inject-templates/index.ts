// pilotfish's own injection template texts (Go text/template, the language and functions of Istio's injector),
// one per template Istio 1.30.3 ships in `istio-sidecar-injector`: written here to be equivalent to Istio's, not
// copied. The operator renders them under `config.templates`; the injector's built-in code renders the unmodified
// `sidecar` and `gateway` templates, and the template engine everything else.
import { TEXT as sidecar } from "./sidecar.js";
import { TEXT as gateway } from "./gateway.js";
import { TEXT as grpcSimple } from "./grpc-simple.js";
import { TEXT as grpcAgent } from "./grpc-agent.js";
import { TEXT as waypoint } from "./waypoint.js";
import { TEXT as kubeGateway } from "./kube-gateway.js";
import { TEXT as agentgateway } from "./agentgateway.js";

/** Template name -> text, in the order Istio's chart writes them (texts not written yet are left out). */
export function injectorTemplateTexts(): Record<string, string> {
  const all: Record<string, string> = {
    sidecar,
    gateway,
    "grpc-simple": grpcSimple,
    "grpc-agent": grpcAgent,
    waypoint,
    "kube-gateway": kubeGateway,
    agentgateway,
  };
  return Object.fromEntries(Object.entries(all).filter(([, t]) => t !== ""));
}
