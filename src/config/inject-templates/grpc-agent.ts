// pilotfish's own `grpc-agent` injection template (see index.ts). Empty until written.
export const TEXT = "";
