package moe.ids.merger.merge;

import java.nio.file.Path;
import java.util.*;

class Probe4 {
    public static void main(String[] a) throws Exception {
        MergeInputs in = RecordedInputs.read(Path.of("/work/shared/upstream/b"));
        List<String> titles = in.aod().stream().map(x -> x.title()).toList();
        TitleMatcher m = new TitleMatcher(titles, in.aod().stream().map(x -> TitleKey.of(x.title(), TitleKey.Kind.ofLabel(x.type()), x.year())).toList());
        List<External> ext = switch (a[0]) { case "kaize" -> in.kaize(); case "nautiljon" -> in.nautiljon(); default -> in.otakotaku(); };
        List<TitleMatcher.Item> items = ext.stream().map(e -> {
            var kinds = TitleKey.Kind.ofLabel(e.format());
            List<String> t = e.altTitle() == null || e.altTitle().equals(e.title()) ? List.of(e.title()) : List.of(e.title(), e.altTitle());
            return new TitleMatcher.Item(t, t.stream().map(x -> TitleKey.of(x, kinds, null)).toList());
        }).toList();
        TitleMatcher.Result r = m.match(items, Integer.parseInt(a[1]), Set.of());
        Set<String> want = new HashSet<>(Arrays.asList(a).subList(2, a.length));
        for (TitleMatcher.Match x : r.matches()) {
            if (want.contains(ext.get(x.item()).id()) || want.contains(titles.get(x.anime()))) System.out.println("M " + ext.get(x.item()).id() + " -> " + titles.get(x.anime()) + " " + x.level() + " " + x.score());
        }
        for (int i : r.ambiguous()) if (want.contains(ext.get(i).id())) System.out.println("AMB " + ext.get(i).id());
        r.vetoed().forEach((i, v) -> { if (want.contains(ext.get(i).id())) System.out.println("VETO " + ext.get(i).id() + " " + v); });
    }
}
