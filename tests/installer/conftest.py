"""One build of the packages for every installer test (it takes a minute or more)."""

from __future__ import annotations

import pytest

from tests.support.debs import Built, build, missing_build_tools, real_models_present


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    reason = missing_build_tools()
    if reason:
        pytest.skip(reason)
    models = None
    if not real_models_present():
        # The real models are not in this checkout: bundle tiny ones whose grader calls
        # every eye normal, so the bundled self-test can pass end to end.
        from tests.support.tiny_models import write_models

        models = write_models(
            tmp_path_factory.mktemp("models"), grade_bias=[4.0, 0.0, 0.0, 0.0, 0.0]
        )
    result = build(tmp_path_factory.mktemp("dist"), models)
    print(f"\ninstaller/build took {result.seconds:.0f} s (real models: {result.real_models})")
    return result
