// Webhooks of an external control plane: each Istio injector/validator webhook needs a URL with a host name
// (or an in-cluster service) to reach istiod.
import type { Analyzer, Obj, Resource } from "../types.js";
import { arr, obj, ofKind, str } from "../util.js";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIp = (h: string) => IPV4.test(h) || (h.includes(":") && /^[0-9a-fA-F:.]+$/.test(h));

/** The host of a URL as Go's url.Parse(...).Hostname() gives it, or undefined when it does not parse. */
function hostnameOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.hostname.replace(/^\[|\]$/g, "");
  } catch {
    return /\s|%(?![0-9a-fA-F]{2})/.test(url) ? undefined : "";
  }
}

export const externalControlPlane: Analyzer = {
  name: "externalcontrolplane.ExternalControlPlaneAnalyzer",
  description: "Checks that the remote IstioOperator resources reference an external control plane",
  run(s, report) {
    const check = (r: Resource, hook: Obj) => {
      const cc = obj(hook.clientConfig);
      const name = str(hook.name);
      if (cc.url !== undefined && cc.url !== null) {
        const host = hostnameOf(str(cc.url));
        if (host === undefined) report({ code: "IST0163", resource: r, args: [str(cc.url), name, "was provided in an invalid format"] });
        else if (isIp(host)) report({ code: "IST0164", resource: r, args: [str(cc.url), name] });
      } else if (!cc.service) report({ code: "IST0163", resource: r, args: ["", name, "is blank"] });
    };
    for (const v of ofKind(s, "ValidatingWebhookConfiguration")) {
      if (v.name === "istiod-default-validator" || v.name.startsWith("istio-validator")) for (const h of arr(v.object.webhooks)) check(v, obj(h));
    }
    for (const m of ofKind(s, "MutatingWebhookConfiguration")) {
      if (m.name.startsWith("istio-sidecar-injector")) for (const h of arr(m.object.webhooks)) check(m, obj(h));
    }
  },
};
