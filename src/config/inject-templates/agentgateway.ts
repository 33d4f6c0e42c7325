// pilotfish's own `agentgateway` injection template (see index.ts). Empty until written.
export const TEXT = "";
