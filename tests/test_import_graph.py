"""The import graph of the derivation packages has no cycles (issue 23, item 4: ``losses`` loses its import
circle dispatch <-> svm / softmax / weights). A cycle is a module that imports, directly or through others,
a module that imports it back; function-level (lazy) imports count, as grimp reads them."""
import grimp
import pytest

ACYCLIC = ("derivations.losses", "derivations.grad", "derivations.lang", "derivations.check.written")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("derivations", cache_dir=None)


def cycles_within(graph, package):
    """Each (a, b) with a directly importing b and b importing a back, both inside ``package``."""
    inside = sorted(m for m in graph.modules if m.startswith(package + "."))
    return [(a, b) for a in inside for b in sorted(graph.find_modules_directly_imported_by(a))
            if b != a and b.startswith(package + ".") and graph.chain_exists(importer=b, imported=a)]


@pytest.mark.parametrize("package", ACYCLIC)
def test_no_import_cycle(graph, package):
    assert cycles_within(graph, package) == []


def test_the_finder_sees_a_cycle():
    """The check itself can fail: a two-module cycle, and one through a third module, are found."""
    graph = grimp.ImportGraph()
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.a"), ("p.c", "p.d"), ("p.d", "p.e"), ("p.e", "p.c"),
                               ("p.f", "p.a")):
        graph.add_import(importer=importer, imported=imported)
    assert cycles_within(graph, "p") == [("p.a", "p.b"), ("p.b", "p.a"), ("p.c", "p.d"), ("p.d", "p.e"),
                                         ("p.e", "p.c")]
