"""What a built wheel carries: every package of kb's source tree, and the corpus.

setup.cfg lists kb's packages one by one (the bundled corpus is mapped in as a
package of its own, which ``find:`` cannot do); a package left off that list is
missing from every normal install. ``.ci/check-install`` builds and installs
the wheel itself."""

import configparser

from kb import config


def test_every_package_of_the_source_tree_is_listed_in_setup_cfg():
    setup = configparser.ConfigParser()
    setup.read(config.PROJECT_ROOT / "setup.cfg")
    listed = set(setup["options"]["packages"].split())
    root = config.PROJECT_ROOT
    in_tree = {".".join(init.parent.relative_to(root).parts) for init in (root / "kb").rglob("__init__.py")}
    assert in_tree <= listed, f"missing from setup.cfg's packages: {sorted(in_tree - listed)}"
    assert "kb.corpus_data" in listed
