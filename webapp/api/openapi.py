"""The OpenAPI 3.1 document of /api/v1 (a test checks it lists every API route)."""

from workflows.document import DocumentState, document_workflow

_ERROR = {"$ref": "#/components/schemas/Error"}
_DOC = {"$ref": "#/components/schemas/DocumentDetail"}


def _resp(description: str, schema: dict | None = None) -> dict:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {"401": _resp("Нет или неверный токен", _ERROR), "404": _resp("Не найдено", _ERROR)}
_ID = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SPEC: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Ekspertiza API",
        "version": "1.0.0",
        "description": "Документы школ 500+: версии, переходы, история.",
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "integer"},
                            "message": {"type": "string"},
                            "reasons": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
            },
            "DocumentSummary": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "school_id": {"type": "integer"},
                    "campaign_id": {"type": "integer"},
                    "type": {"type": "string"},
                    "risk_factor_id": {"type": ["integer", "null"]},
                    "title": {"type": "string"},
                    "state": {"type": "string", "enum": [s.value for s in DocumentState]},
                    "lock_version": {"type": "integer"},
                    "latest_version": {"type": "integer"},
                    "submitted_at": {"type": ["string", "null"], "format": "date-time"},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                },
            },
            "DocumentDetail": {
                "allOf": [
                    {"$ref": "#/components/schemas/DocumentSummary"},
                    {
                        "type": "object",
                        "properties": {
                            "available_triggers": {"type": "array", "items": {"type": "string"}},
                            "versions": {"type": "array", "items": {"type": "object"}},
                            "history": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                ]
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/auth/token": {
            "post": {
                "summary": "Получить токен",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["email", "password"],
                                "properties": {
                                    "email": {"type": "string"},
                                    "password": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _resp(
                        "Токен", {"type": "object", "properties": {"token": {"type": "string"}}}
                    ),
                    "401": _resp("Неверные данные", _ERROR),
                    "422": _resp("Неверный запрос", _ERROR),
                    "429": _resp("Слишком часто", _ERROR),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "Этот документ",
                "security": [],
                "responses": {"200": _resp("OpenAPI")},
            }
        },
        "/documents": {
            "get": {
                "summary": "Документы, доступные пользователю",
                "parameters": [
                    {"name": "school_id", "in": "query", "schema": {"type": "integer"}},
                    {"name": "type", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {"type": "string", "enum": [s.value for s in DocumentState]},
                    },
                ],
                "responses": {
                    "200": _resp(
                        "Список",
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/DocumentSummary"},
                                }
                            },
                        },
                    ),
                    "422": _resp("Неверный фильтр", _ERROR),
                    **_ERRORS,
                },
            }
        },
        "/documents/{document_id}": {
            "get": {
                "summary": "Документ с версиями и историей",
                "parameters": [_ID],
                "responses": {"200": _resp("Документ", _DOC), **_ERRORS},
            }
        },
        "/documents/{document_id}/versions": {
            "post": {
                "summary": "Загрузить новую версию (PDF, DOCX, ODT, XLSX, ODS)",
                "parameters": [_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp("Версия добавлена", _DOC),
                    "403": _resp("Не школа документа", _ERROR),
                    "409": _resp("Состояние не допускает загрузку", _ERROR),
                    "413": _resp("Слишком большой файл", _ERROR),
                    "422": _resp("Файл отклонён", _ERROR),
                    **_ERRORS,
                },
            }
        },
        "/documents/{document_id}/transitions": {
            "post": {
                "summary": "Выполнить переход",
                "parameters": [_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["trigger"],
                                "properties": {
                                    "trigger": {
                                        "type": "string",
                                        "enum": document_workflow.triggers(),
                                    },
                                    "comment": {"type": "string"},
                                    "lock_version": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _resp("Новое состояние", _DOC),
                    "403": _resp("Роль не позволяет", _ERROR),
                    "409": _resp("Документ уже изменён", _ERROR),
                    "422": _resp("Условие не выполнено", _ERROR),
                    **_ERRORS,
                },
            }
        },
    },
}
