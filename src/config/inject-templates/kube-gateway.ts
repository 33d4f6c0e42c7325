// pilotfish's own `kube-gateway` injection template (see index.ts). Empty until written.
export const TEXT = "";
