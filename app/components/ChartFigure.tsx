// A polaris-viz chart as the admin shows it: drawn after hydration (the charts measure the page), and inert — out of
// the tab order and the accessibility tree, since their SVG fails axe — with `label` describing it to assistive
// technology; every page that shows a chart also gives its numbers in a table.
import { useEffect, useRef, useState, type ReactNode } from "react";

export function ChartFigure({ label, height, children }: { label: string; height: number; children: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <div style={{ height }} role="img" aria-label={label}>
      {mounted ? <Inert>{children}</Inert> : null}
    </div>
  );
}

function Inert({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.inert = true;
  }, []);
  return (
    <div ref={ref} style={{ height: "100%" }}>
      {children}
    </div>
  );
}
