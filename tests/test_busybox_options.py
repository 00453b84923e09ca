"""busybox_options: what the busybox user and cron rules write back."""

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from migrator.busybox_options import Arg


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("aZ09_@%+=:,./-'\" $`\\"), max_size=8))
def test_a_literal_is_written_as_shlex_quotes_it(value):
    # words shlex leaves bare skip its import; every other word goes through it
    assert Arg(value, "as written").shell() == shlex.quote(value)


def test_a_variable_is_written_as_it_was():
    assert Arg(None, '"$HOME"').shell() == '"$HOME"'
