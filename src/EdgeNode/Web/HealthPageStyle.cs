namespace EPostEdge.EdgeNode.Web;

/// <summary>
/// The page's only style sheet, inline (no external assets: the box may have no internet, and
/// the page must render from it alone). Mobile first: one column on a phone, cards side by side
/// from about 40 rem; follows the reader's light or dark setting.
/// </summary>
internal static class HealthPageStyle
{
    public const string Css = """
        :root{color-scheme:light dark;--bg:#f6f8fa;--card:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bar:#e6eaef;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e}
        @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#151b23;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--bar:#262c36;--ok:#3fb950;--warn:#d29922;--bad:#f85149}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        header{padding:1rem 1rem 1.25rem;color:#fff}
        header .who{font-size:.9rem;opacity:.9;overflow-wrap:anywhere}
        h1{font-size:2.6rem;line-height:1.1;margin:.2rem 0 .4rem;letter-spacing:.02em;text-transform:uppercase}
        header ul{margin:.3rem 0 .5rem;padding-left:1.2rem}
        header p{margin:.2rem 0}
        .meta{font-size:.85rem;opacity:.9}
        .c-healthy{background:#1a7f37}.c-booting{background:#0969da}.c-degraded{background:#9a6700}.c-alone{background:#8250df}
        .c-near-budget{background:#bc4c00}.c-updating{background:#1b7c83}.c-failed{background:#cf222e}
        main{display:grid;gap:.75rem;padding:.75rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,21rem),1fr));max-width:72rem;margin:0 auto}
        section{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem .9rem;min-width:0}
        h2{font-size:1.05rem;margin:0 0 .5rem}
        section p{margin:.25rem 0}
        dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .75rem;margin:0}
        dt{color:var(--muted)}
        dd{margin:0;text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
        .bar{height:.5rem;background:var(--bar);border-radius:.25rem;overflow:hidden;margin:.35rem 0 .6rem}
        .bar i{display:block;height:100%;background:var(--ok)}
        .bar.warn i{background:var(--warn)}.bar.bad i{background:var(--bad)}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.9rem}
        th,td{text-align:left;padding:.25rem .4rem .25rem 0;border-bottom:1px solid var(--line);white-space:nowrap}
        td.n,th.n{text-align:right}
        code{font:.85rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
        .muted{color:var(--muted)}.warn{color:var(--warn)}.bad{color:var(--bad)}.ok{color:var(--ok)}
        ol.log{list-style:none;margin:0;padding:0;font-size:.85rem}
        ol.log li{padding:.3rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
        footer{text-align:center;font-size:.85rem;color:var(--muted);padding:.5rem 1rem 1.5rem}
        a{color:inherit}
        """;
}
