"""The whole-program mock runner, shared with the rendered preview: it lives in
``components/preview/mock_run.py`` (product code, so ``python -m components.preview`` needs no
test module); the tests keep importing it from here."""

from components.preview.mock_run import (  # noqa: F401 - re-exported for the tests
    PROJECT,
    ROOT,
    SECRET_SIG,
    SECRET_VALUE,
    RecordingMocks,
    RecordingMonitor,
    Registration,
    Run,
    _execute,
    as_engine_config,
    is_secret,
    run_program,
    stack_config,
    unwrap,
)
