// Plain JSON trees: what YAML/JSON input and Kubernetes objects are before they are typed.
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };
