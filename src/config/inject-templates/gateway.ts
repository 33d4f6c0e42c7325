// pilotfish's own `gateway` injection template (see index.ts). Empty until written.
export const TEXT = "";
