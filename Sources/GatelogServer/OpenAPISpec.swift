/// The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`.
/// `docs/openapi.json` is the same document; a test keeps them identical.
enum OpenAPISpec {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "gatelog",
  "version": "1.0.0",
  "description": "Tamper-evident audit log store for AI gateways. Every endpoint but /healthz needs `Authorization: Bearer <token>`. Query parameters an endpoint does not take are a 400 naming them (never ignored), and a request with more than one Authorization field is a 400."
 },
 "servers": [
  {
   "url": "http://127.0.0.1:8080"
  }
 ],
 "security": [
  {
   "bearer": []
  }
 ],
 "paths": {
  "/healthz": {
   "get": {
    "summary": "Liveness (no token)",
    "responses": {
     "200": {
      "description": "The process is up",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "status": {
           "type": "string"
          }
         },
         "required": [
          "status"
         ]
        }
       }
      }
     }
    },
    "security": []
   }
  },
  "/readyz": {
   "get": {
    "summary": "Readiness: every region on disk (and every configured one) can take writes",
    "responses": {
     "200": {
      "description": "Ready",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "status"
         ],
         "properties": {
          "status": {
           "type": "string",
           "enum": [
            "ready"
           ]
          }
         }
        }
       }
      }
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "description": "Not ready: a region's writer stopped after a storage failure, or a region cannot be opened",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "required": [
          "status",
          "problems",
          "regions"
         ],
         "properties": {
          "status": {
           "type": "string",
           "enum": [
            "failing"
           ]
          },
          "problems": {
           "type": "array",
           "items": {
            "type": "string"
           },
           "description": "region: reason"
          },
          "regions": {
           "type": "array",
           "items": {
            "type": "object",
            "required": [
             "region",
             "reason"
            ],
            "properties": {
             "region": {
              "type": "string"
             },
             "reason": {
              "type": "string"
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "summary": "Prometheus metrics (text exposition format)",
    "responses": {
     "200": {
      "description": "Metrics",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/openapi.json": {
   "get": {
    "summary": "This document (any valid token)",
    "responses": {
     "200": {
      "description": "OpenAPI 3.1",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/records": {
   "post": {
    "summary": "Ingest records: one JSON object, a JSON array of objects, or NDJSON. 200 only when every accepted record is durable.",
    "responses": {
     "200": {
      "description": "Per-record results",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IngestSummary"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "413": {
      "description": "`payload_too_large`: the body exceeds the server's `--max-body` (default 16 MiB; the message states the limit), or `too_many_records`: more than `max_records_per_request` records",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "422": {
      "description": "Every record was rejected",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IngestSummary"
        }
       }
      }
     },
     "503": {
      "$ref": "#/components/responses/Error"
     },
     "507": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "oneOf": [
         {
          "$ref": "#/components/schemas/AuditRecord"
         },
         {
          "type": "array",
          "items": {
           "$ref": "#/components/schemas/AuditRecord"
          }
         }
        ]
       }
      },
      "application/x-ndjson": {
       "schema": {
        "type": "string"
       }
      }
     },
     "description": "Sent as it is: a Content-Encoding other than identity (gzip, br, …) is refused with 415 unsupported_content_encoding"
    }
   },
   "get": {
    "summary": "Search records (newest first) within the caller's scope",
    "responses": {
     "200": {
      "description": "A page of records",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SearchPage"
        }
       },
       "application/x-ndjson": {
        "schema": {
         "type": "string"
        }
       },
       "text/csv": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/filter_from"
     },
     {
      "$ref": "#/components/parameters/filter_to"
     },
     {
      "$ref": "#/components/parameters/filter_region"
     },
     {
      "$ref": "#/components/parameters/filter_tenant"
     },
     {
      "$ref": "#/components/parameters/filter_team"
     },
     {
      "$ref": "#/components/parameters/filter_user"
     },
     {
      "$ref": "#/components/parameters/filter_api_key"
     },
     {
      "$ref": "#/components/parameters/filter_kind"
     },
     {
      "$ref": "#/components/parameters/filter_model"
     },
     {
      "$ref": "#/components/parameters/filter_provider"
     },
     {
      "$ref": "#/components/parameters/filter_status"
     },
     {
      "$ref": "#/components/parameters/filter_error"
     },
     {
      "$ref": "#/components/parameters/filter_meta"
     },
     {
      "$ref": "#/components/parameters/filter_trace"
     },
     {
      "$ref": "#/components/parameters/filter_id"
     },
     {
      "$ref": "#/components/parameters/filter_min_cost"
     },
     {
      "$ref": "#/components/parameters/filter_max_cost"
     },
     {
      "$ref": "#/components/parameters/filter_min_latency"
     },
     {
      "$ref": "#/components/parameters/filter_max_latency"
     },
     {
      "$ref": "#/components/parameters/filter_text"
     },
     {
      "$ref": "#/components/parameters/filter_backend"
     },
     {
      "$ref": "#/components/parameters/filter_fallback"
     },
     {
      "name": "limit",
      "in": "query",
      "description": "Page size (default 100, at most 10000)",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000
      },
      "allowEmptyValue": true
     },
     {
      "name": "cursor",
      "in": "query",
      "description": "Opaque cursor from the previous page",
      "required": false,
      "schema": {
       "type": "string"
      },
      "allowEmptyValue": true
     },
     {
      "name": "order",
      "in": "query",
      "description": "newest (default) or oldest",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "newest",
        "oldest",
        ""
       ]
      },
      "allowEmptyValue": true
     },
     {
      "name": "format",
      "in": "query",
      "description": "json (default), ndjson or csv",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "ndjson",
        "csv",
        ""
       ]
      },
      "allowEmptyValue": true
     },
     {
      "name": "content",
      "in": "query",
      "description": "Include request and response bodies: true (default) or false (CSV never has them)",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false",
        ""
       ]
      },
      "allowEmptyValue": true
     }
    ]
   }
  },
  "/v1/records/{id}": {
   "get": {
    "summary": "One record with its position, chain hash and an inclusion proof against the latest checkpoint",
    "responses": {
     "200": {
      "description": "The record",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "409": {
      "description": "`ambiguous_id`: no region was given and the id exists in several regions the token may see (ids are unique per region only); the message lists those regions (only regions within the token's scope). Repeat the request with `region`.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "region",
      "in": "query",
      "description": "Region of the record: needed when the id exists in several regions the token may see (otherwise 409 `ambiguous_id`)",
      "required": false,
      "schema": {
       "type": "string"
      },
      "allowEmptyValue": true
     }
    ]
   }
  },
  "/v1/stats": {
   "get": {
    "summary": "Aggregates over the same filters: count, errors, tokens, cost, latency percentiles, grouped",
    "responses": {
     "200": {
      "description": "Groups",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       },
       "text/csv": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/filter_from"
     },
     {
      "$ref": "#/components/parameters/filter_to"
     },
     {
      "$ref": "#/components/parameters/filter_region"
     },
     {
      "$ref": "#/components/parameters/filter_tenant"
     },
     {
      "$ref": "#/components/parameters/filter_team"
     },
     {
      "$ref": "#/components/parameters/filter_user"
     },
     {
      "$ref": "#/components/parameters/filter_api_key"
     },
     {
      "$ref": "#/components/parameters/filter_kind"
     },
     {
      "$ref": "#/components/parameters/filter_model"
     },
     {
      "$ref": "#/components/parameters/filter_provider"
     },
     {
      "$ref": "#/components/parameters/filter_status"
     },
     {
      "$ref": "#/components/parameters/filter_error"
     },
     {
      "$ref": "#/components/parameters/filter_meta"
     },
     {
      "$ref": "#/components/parameters/filter_trace"
     },
     {
      "$ref": "#/components/parameters/filter_id"
     },
     {
      "$ref": "#/components/parameters/filter_min_cost"
     },
     {
      "$ref": "#/components/parameters/filter_max_cost"
     },
     {
      "$ref": "#/components/parameters/filter_min_latency"
     },
     {
      "$ref": "#/components/parameters/filter_max_latency"
     },
     {
      "$ref": "#/components/parameters/filter_text"
     },
     {
      "$ref": "#/components/parameters/filter_backend"
     },
     {
      "$ref": "#/components/parameters/filter_fallback"
     },
     {
      "name": "group_by",
      "in": "query",
      "description": "Comma-separated: region, tenant, team, user, api_key, kind, model, provider, status, error, backend, meta:KEY (or meta.KEY)",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^(|(region|tenant|team|user|api_key|kind|model|provider|status|error|backend|meta[:.][A-Za-z0-9_.-]{1,64})(,(region|tenant|team|user|api_key|kind|model|provider|status|error|backend|meta[:.][A-Za-z0-9_.-]{1,64}))*)$"
      },
      "allowEmptyValue": true
     },
     {
      "name": "bucket",
      "in": "query",
      "description": "Time bucket: minute, hour or day",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "minute",
        "hour",
        "day",
        ""
       ]
      },
      "allowEmptyValue": true
     },
     {
      "name": "format",
      "in": "query",
      "description": "json (default) or csv",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "csv",
        ""
       ]
      },
      "allowEmptyValue": true
     }
    ]
   }
  },
  "/v1/export": {
   "get": {
    "summary": "Export a compliance bundle: the matching records with RFC 9162 inclusion proofs against signed checkpoints, verifiable offline (docs/FORMAT.md §12). Needs the `export` permission; roles without content access get content digests instead of content.",
    "responses": {
     "200": {
      "description": "The bundle, streamed as NDJSON (header line, checkpoint lines, record lines, end line). A bundle without its end line was cut short (an error part way).",
      "content": {
       "application/x-ndjson": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "$ref": "#/components/parameters/filter_from"
     },
     {
      "$ref": "#/components/parameters/filter_to"
     },
     {
      "$ref": "#/components/parameters/filter_region"
     },
     {
      "$ref": "#/components/parameters/filter_tenant"
     },
     {
      "$ref": "#/components/parameters/filter_team"
     },
     {
      "$ref": "#/components/parameters/filter_user"
     },
     {
      "$ref": "#/components/parameters/filter_api_key"
     },
     {
      "$ref": "#/components/parameters/filter_kind"
     },
     {
      "$ref": "#/components/parameters/filter_model"
     },
     {
      "$ref": "#/components/parameters/filter_provider"
     },
     {
      "$ref": "#/components/parameters/filter_status"
     },
     {
      "$ref": "#/components/parameters/filter_error"
     },
     {
      "$ref": "#/components/parameters/filter_meta"
     },
     {
      "$ref": "#/components/parameters/filter_trace"
     },
     {
      "$ref": "#/components/parameters/filter_id"
     },
     {
      "$ref": "#/components/parameters/filter_min_cost"
     },
     {
      "$ref": "#/components/parameters/filter_max_cost"
     },
     {
      "$ref": "#/components/parameters/filter_min_latency"
     },
     {
      "$ref": "#/components/parameters/filter_max_latency"
     },
     {
      "$ref": "#/components/parameters/filter_text"
     },
     {
      "$ref": "#/components/parameters/filter_backend"
     },
     {
      "$ref": "#/components/parameters/filter_fallback"
     }
    ]
   }
  },
  "/v1/checkpoints/latest": {
   "get": {
    "summary": "The latest signed checkpoint of a region (C2SP signed note); Accept: text/plain gives the note alone",
    "responses": {
     "200": {
      "description": "Checkpoint",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       },
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "region",
      "in": "query",
      "description": "Region",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1
      }
     }
    ]
   }
  },
  "/v1/verify": {
   "post": {
    "summary": "Verify the integrity of the caller's regions",
    "responses": {
     "200": {
      "description": "Verification report",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "description": "`not_found`: a named region does not exist or is outside the token's scope (the same answer for both); nothing is verified",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "`payload_too_large`: the body exceeds 1 MiB",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "region",
      "in": "query",
      "description": "Region (repeatable); a region that does not exist or is outside the token's scope is a 404",
      "required": false,
      "schema": {
       "type": "string"
      },
      "allowEmptyValue": true
     }
    ],
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "region": {
          "type": "string"
         },
         "regions": {
          "type": "array",
          "items": {
           "type": "string"
          }
         }
        }
       }
      }
     },
     "description": "Optional: without one (a POST with no Content-Length counts as an empty body) every region the token may see is verified"
    }
   }
  },
  "/v1/tokens": {
   "post": {
    "summary": "Create a token (admin). The token is returned once.",
    "responses": {
     "201": {
      "description": "Created",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "required": [
         "role"
        ],
        "properties": {
         "role": {
          "type": "string",
          "description": "A built-in role, or one defined in the configuration",
          "enum": [
           "admin",
           "ingest",
           "auditor",
           "analyst",
           "viewer",
           "monitor"
          ]
         },
         "scope": {
          "type": "string",
          "examples": [
           "region=eu-west-1,tenant=acme"
          ],
          "pattern": "^(|(region|tenant|team|user|meta\\.[A-Za-z0-9_.-]{1,64})=(?=[^,=]*[^,=\\s])[^,=]{1,128}(,(region|tenant|team|user|meta\\.[A-Za-z0-9_.-]{1,64})=(?=[^,=]*[^,=\\s])[^,=]{1,128})*)$"
         },
         "expires": {
          "type": "string",
          "examples": [
           "30d"
          ],
          "pattern": "^[1-9][0-9]{0,3}[smhd]$"
         },
         "description": {
          "type": "string"
         }
        },
        "additionalProperties": false,
        "description": "Other members are a 400 (a misspelt member must not give a wider or never-expiring token); a scope with an empty element (`region=a,,tenant=b`) is a 400"
       }
      }
     }
    }
   },
   "get": {
    "summary": "List tokens (admin); secrets are never returned",
    "responses": {
     "200": {
      "description": "Tokens",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/tokens/{id}": {
   "delete": {
    "summary": "Revoke a token (admin)",
    "responses": {
     "204": {
      "description": "Revoked"
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  },
  "/v1/tokens/{id}/rotate": {
   "post": {
    "summary": "Replace a token by a new one with the same role and scope (admin)",
    "responses": {
     "201": {
      "description": "The new token",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Error"
     },
     "401": {
      "$ref": "#/components/responses/Error"
     },
     "403": {
      "$ref": "#/components/responses/Error"
     },
     "404": {
      "$ref": "#/components/responses/Error"
     },
     "415": {
      "$ref": "#/components/responses/Error"
     },
     "503": {
      "$ref": "#/components/responses/Error"
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ]
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "responses": {
   "Error": {
    "description": "An error",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "required": [
     "error"
    ],
    "properties": {
     "error": {
      "type": "object",
      "required": [
       "code",
       "message"
      ],
      "properties": {
       "code": {
        "type": "string"
       },
       "message": {
        "type": "string"
       }
      }
     }
    }
   },
   "AuditRecord": {
    "type": "object",
    "required": [
     "id",
     "ts",
     "region"
    ],
    "additionalProperties": true,
    "properties": {
     "id": {
      "type": "string",
      "minLength": 1,
      "maxLength": 128,
      "pattern": "^[^\\u0000-\\u001F\\u007F]+$"
     },
     "ts": {
      "type": "string",
      "format": "date-time"
     },
     "region": {
      "type": "string",
      "description": "A leading underscore is reserved for gatelog's own regions",
      "pattern": "^[A-Za-z0-9.-][A-Za-z0-9._-]{0,63}$"
     },
     "tenant": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "team": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "user": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "api_key_id": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "kind": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "model": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "provider": {
      "type": [
       "string",
       "null"
      ],
      "maxLength": 1024
     },
     "metadata": {
      "type": [
       "object",
       "null"
      ],
      "maxProperties": 64,
      "propertyNames": {
       "minLength": 1,
       "maxLength": 64
      },
      "additionalProperties": {
       "type": "string",
       "maxLength": 128
      }
     },
     "request": {},
     "response": {},
     "status": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 0,
      "maximum": 999
     },
     "cost_usd": {
      "type": [
       "number",
       "null"
      ],
      "exclusiveMinimum": -1000000000.0,
      "exclusiveMaximum": 1000000000.0
     },
     "latency_ms": {
      "type": [
       "object",
       "null"
      ],
      "properties": {
       "total": {
        "type": [
         "number",
         "null"
        ],
        "exclusiveMinimum": -1000000000000.0,
        "exclusiveMaximum": 1000000000000.0
       },
       "ttft": {
        "type": [
         "number",
         "null"
        ],
        "exclusiveMinimum": -1000000000000.0,
        "exclusiveMaximum": 1000000000000.0
       },
       "itl": {
        "type": [
         "number",
         "null"
        ],
        "exclusiveMinimum": -1000000000000.0,
        "exclusiveMaximum": 1000000000000.0
       }
      }
     }
    }
   },
   "IngestSummary": {
    "type": "object",
    "properties": {
     "accepted": {
      "type": "integer"
     },
     "duplicates": {
      "type": "integer"
     },
     "rejected": {
      "type": "integer"
     },
     "errors": {
      "type": "array",
      "items": {
       "type": "object"
      }
     },
     "results": {
      "type": "array",
      "items": {
       "type": "object"
      }
     }
    }
   },
   "SearchPage": {
    "type": "object",
    "properties": {
     "records": {
      "type": "array",
      "items": {
       "type": "object"
      }
     },
     "next_cursor": {
      "type": [
       "string",
       "null"
      ]
     },
     "count": {
      "type": "integer"
     },
     "warnings": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "Present when the answer may hold fewer records than the filter suggests: `text` on regions whose content is not indexed for full-text search (`fts_regions`); a region asked for whose index stops at damaged segment data (its records after the damage are missing; run `gatelog verify`); `content=true` from a role without content access (content is withheld). Each also sent as an `X-Gatelog-Warning` header with fixed text."
     }
    }
   }
  },
  "parameters": {
   "filter_from": {
    "name": "from",
    "in": "query",
    "description": "Start of the time range (inclusive): RFC 3339 or relative (-24h, -7d, now). A `from` after `to` is a 400.",
    "required": false,
    "schema": {
     "type": "string",
     "pattern": "^(|(now|[-+][0-9]{1,6}(ms|s|m|h|d|w)|(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?Z)?))$",
     "description": "RFC 3339, a date, a relative time (-24h) or now"
    },
    "allowEmptyValue": true
   },
   "filter_to": {
    "name": "to",
    "in": "query",
    "description": "End of the time range (exclusive). A `to` before `from` is a 400.",
    "required": false,
    "schema": {
     "type": "string",
     "pattern": "^(|(now|[-+][0-9]{1,6}(ms|s|m|h|d|w)|(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,3})?Z)?))$",
     "description": "RFC 3339, a date, a relative time (-24h) or now"
    },
    "allowEmptyValue": true
   },
   "filter_region": {
    "name": "region",
    "in": "query",
    "description": "Region; comma-separate for several (a repeated filter parameter intersects)",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_tenant": {
    "name": "tenant",
    "in": "query",
    "description": "Tenant",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_team": {
    "name": "team",
    "in": "query",
    "description": "Team",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_user": {
    "name": "user",
    "in": "query",
    "description": "User",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_api_key": {
    "name": "api_key",
    "in": "query",
    "description": "API key id",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_kind": {
    "name": "kind",
    "in": "query",
    "description": "Kind (chat, embeddings, mcp_tool_call, …)",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_model": {
    "name": "model",
    "in": "query",
    "description": "Model",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_provider": {
    "name": "provider",
    "in": "query",
    "description": "Provider",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_status": {
    "name": "status",
    "in": "query",
    "description": "3-digit status codes 000–999 (what a record may hold) or classes 0xx–9xx, comma-separated (200, 4xx, 4xx,500)",
    "required": false,
    "schema": {
     "type": "string",
     "pattern": "^(|([0-9]{3}|[0-9](xx|XX))(,([0-9]{3}|[0-9](xx|XX)))*)$"
    },
    "allowEmptyValue": true
   },
   "filter_error": {
    "name": "error",
    "in": "query",
    "description": "Error class",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_meta": {
    "name": "meta",
    "in": "query",
    "description": "Metadata key=value (several ANDed; key=v1,v2 ORs values)",
    "required": false,
    "schema": {
     "type": "array",
     "items": {
      "type": "string",
      "pattern": "^(|[A-Za-z0-9_.-]{1,64}=[^,\\\\]{1,128}(,[^,\\\\]{1,128})*)$"
     }
    },
    "style": "form",
    "explode": true,
    "allowEmptyValue": true
   },
   "filter_trace": {
    "name": "trace",
    "in": "query",
    "description": "Trace id",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_id": {
    "name": "id",
    "in": "query",
    "description": "Record id",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_min_cost": {
    "name": "min_cost",
    "in": "query",
    "description": "Minimum cost in USD",
    "required": false,
    "schema": {
     "type": "number",
     "minimum": -9000000000,
     "maximum": 9000000000
    },
    "allowEmptyValue": true
   },
   "filter_max_cost": {
    "name": "max_cost",
    "in": "query",
    "description": "Maximum cost in USD",
    "required": false,
    "schema": {
     "type": "number",
     "minimum": -9000000000,
     "maximum": 9000000000
    },
    "allowEmptyValue": true
   },
   "filter_min_latency": {
    "name": "min_latency",
    "in": "query",
    "description": "Minimum total latency in ms",
    "required": false,
    "schema": {
     "type": "number",
     "minimum": -9000000000000,
     "maximum": 9000000000000
    },
    "allowEmptyValue": true
   },
   "filter_max_latency": {
    "name": "max_latency",
    "in": "query",
    "description": "Maximum total latency in ms",
    "required": false,
    "schema": {
     "type": "number",
     "minimum": -9000000000000,
     "maximum": 9000000000000
    },
    "allowEmptyValue": true
   },
   "filter_text": {
    "name": "text",
    "in": "query",
    "description": "Full-text query over redacted content. Only regions listed in `fts_regions` (gatelog.json) have their content indexed for it; otherwise the answer is empty and carries a warning (`warnings`, `X-Gatelog-Warning`).",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_backend": {
    "name": "backend",
    "in": "query",
    "description": "Route backend",
    "required": false,
    "schema": {
     "type": "string"
    },
    "allowEmptyValue": true
   },
   "filter_fallback": {
    "name": "fallback",
    "in": "query",
    "description": "Whether the gateway fell back to another backend: true or false",
    "required": false,
    "schema": {
     "type": "string",
     "enum": [
      "true",
      "false",
      ""
     ]
    },
    "allowEmptyValue": true
   }
  }
 }
}
"""#
}
