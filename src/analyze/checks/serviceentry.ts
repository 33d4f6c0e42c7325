// ServiceEntry check: TCP (or protocol-less) ports need addresses unless DNS auto-allocation gives them one.
import type { Analyzer } from "../types.js";
import { arr, ISTIO_NETWORKING, obj, ofKind, str } from "../util.js";

export const serviceEntryAddresses: Analyzer = {
  name: "serviceentry.Analyzer",
  description: "Checks the validity of ServiceEntry",
  run(s, report) {
    const md = obj(obj(s.mesh.defaultConfig).proxyMetadata);
    const autoAllocated = md.ISTIO_META_DNS_CAPTURE === "true" && (md.ISTIO_META_DNS_AUTO_ALLOCATE === "true" || md.PILOT_ENABLE_IP_AUTOALLOCATE === "true");
    for (const se of ofKind(s, "ServiceEntry", ISTIO_NETWORKING)) {
      if (se.spec.addresses !== undefined && se.spec.addresses !== null) continue;
      if (arr(obj(se.status).addresses).length > 0 || autoAllocated) continue;
      arr(se.spec.ports).forEach((p, i) => {
        const proto = str(obj(p).protocol);
        if (proto === "" || proto.toUpperCase() === "TCP") report({ code: "IST0134", resource: se, args: [], path: `spec.ports[${i}].name` });
      });
    }
  },
};
