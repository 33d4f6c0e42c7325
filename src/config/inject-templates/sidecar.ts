// pilotfish's own `sidecar` injection template (see index.ts). Empty until written.
export const TEXT = "";
