//! The product tree: one product row, every other part reachable from it through `parent_id`,
//! values converted to US dollars and quantities rolled up level by level.
//!
//! Validation finds every structural problem at once: no product row or several, duplicate part
//! ids, parents that do not exist (orphans), cycles (and the parts hanging below one), currencies
//! without a rate. Nothing is dropped silently: a part that cannot be placed is an error naming
//! its row. The tree is kept as flat arrays (parent index, children in one vector, a pre-order),
//! so a million-line BOM is walked without recursion and without a node per allocation.

use crate::input::{Bom, BomProblem};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;

const NONE: u32 = u32::MAX;

/// A validated tree over the lines of a [`Bom`] (indices are line indices).
#[derive(Debug, Clone)]
pub struct Tree {
    /// The product line.
    pub root: usize,
    /// Parent line of each line (`u32::MAX` for the product).
    pub parent: Vec<u32>,
    /// `children[child_start[i]..child_start[i + 1]]` are the children of line `i`.
    pub child_start: Vec<u32>,
    /// Children, grouped by parent, in input order.
    pub children: Vec<u32>,
    /// Lines in pre-order from the product (parents before children).
    pub order: Vec<u32>,
    /// Depth (product = 0).
    pub level: Vec<u32>,
    /// Units in one unit of the product: the line's quantity times every ancestor's (the
    /// product's own quantity is not counted: the calculation is per unit of product).
    pub extended_quantity: Vec<Decimal>,
    /// One unit's value in US dollars.
    pub unit_value_usd: Vec<Decimal>,
    /// Extended value in US dollars: `unit_value_usd × extended_quantity`.
    pub extended_value: Vec<Decimal>,
}

impl Tree {
    /// The children of line `i`.
    pub fn children_of(&self, i: usize) -> &[u32] {
        let (a, b) = (
            self.child_start[i] as usize,
            self.child_start[i + 1] as usize,
        );
        &self.children[a..b]
    }
}

/// Validates the structure and rolls up quantities and values.
pub fn build_tree(bom: &Bom) -> Result<Tree, Vec<BomProblem>> {
    let lines = &bom.lines;
    let n = lines.len();
    let mut problems = Vec::new();
    if n >= NONE as usize {
        return Err(vec![BomProblem {
            row: None,
            part_id: None,
            field: None,
            message: format!("{n} lines is more than this tool handles"),
        }]);
    }
    let mut ids: HashMap<&str, u32> = HashMap::with_capacity_and_hasher(n, Default::default());
    for (i, l) in lines.iter().enumerate() {
        if l.part_id.is_empty() {
            continue;
        }
        if let Some(&first) = ids.get(&*l.part_id) {
            problems.push(BomProblem::at(
                l.row,
                &l.part_id,
                Some("part_id"),
                format!(
                    "duplicate part id (first used on {}); give each line its own id",
                    lines[first as usize].row
                ),
            ));
        } else {
            ids.insert(&*l.part_id, i as u32);
        }
    }
    let roots: Vec<usize> = (0..n).filter(|&i| lines[i].parent_id.is_none()).collect();
    if roots.is_empty() {
        problems.push(BomProblem {
            row: None,
            part_id: None,
            field: Some("parent_id".into()),
            message: "no product row: exactly one line must have an empty parent_id (the exported product)".into(),
        });
    } else if roots.len() > 1 {
        let first = &lines[roots[0]];
        for &r in &roots[1..] {
            problems.push(BomProblem::at(
                lines[r].row,
                &lines[r].part_id,
                Some("parent_id"),
                format!(
                    "a second product row (empty parent_id; the first is `{}` on {}): give its parent",
                    first.part_id, first.row
                ),
            ));
        }
    }
    let mut parent = vec![NONE; n];
    let mut orphan = vec![false; n];
    for (i, l) in lines.iter().enumerate() {
        let Some(p) = &l.parent_id else { continue };
        match ids.get(&**p) {
            Some(&j) if j as usize == i => {
                problems.push(BomProblem::at(
                    l.row,
                    &l.part_id,
                    Some("parent_id"),
                    "the part is its own parent (a cycle)".into(),
                ));
                orphan[i] = true;
            }
            Some(&j) => parent[i] = j,
            None => {
                problems.push(BomProblem::at(
                    l.row,
                    &l.part_id,
                    Some("parent_id"),
                    format!("parent `{p}` is not a part of this BOM (an orphan)"),
                ));
                orphan[i] = true;
            }
        }
    }
    // Children in one vector (counting sort by parent).
    let mut child_start = vec![0u32; n + 1];
    for &p in &parent {
        if p != NONE {
            child_start[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        child_start[i + 1] += child_start[i];
    }
    let mut fill = child_start.clone();
    let mut children = vec![0u32; child_start[n] as usize];
    for (i, &p) in parent.iter().enumerate() {
        if p != NONE {
            children[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
    }
    // Pre-order from the product.
    let root = roots.first().copied();
    let mut order = Vec::with_capacity(n);
    let mut level = vec![0u32; n];
    let mut reached = vec![false; n];
    if let Some(r) = root {
        let mut stack = vec![r as u32];
        reached[r] = true;
        while let Some(i) = stack.pop() {
            order.push(i);
            let (a, b) = (
                child_start[i as usize] as usize,
                child_start[i as usize + 1] as usize,
            );
            for &c in children[a..b].iter().rev() {
                if !reached[c as usize] {
                    reached[c as usize] = true;
                    level[c as usize] = level[i as usize] + 1;
                    stack.push(c);
                }
            }
        }
    }
    // Lines not reached: in a cycle, or below an orphan, a cycle or a second product row.
    let unreached = order.len() < n;
    if unreached {
        let mut walk_mark = vec![NONE; n];
        let mut reported = vec![false; n];
        for start in 0..n {
            if reached[start] || orphan[start] || lines[start].parent_id.is_none() {
                continue;
            }
            // Follow parents until a reached line, a dead end, or a line seen in this walk.
            let mut i = start;
            let mut cause = None;
            loop {
                if walk_mark[i] == start as u32 {
                    cause = Some(i);
                    break;
                }
                if walk_mark[i] != NONE || reached[i] || parent[i] == NONE {
                    break;
                }
                walk_mark[i] = start as u32;
                i = parent[i] as usize;
            }
            if let Some(c) = cause
                && !reported[c]
            {
                // A new cycle: list its members, then report each of them once.
                let mut members = vec![c];
                let mut j = parent[c] as usize;
                while j != c {
                    members.push(j);
                    j = parent[j] as usize;
                }
                members.sort_unstable();
                let text = members
                    .iter()
                    .map(|&m| format!("`{}` ({})", lines[m].part_id, lines[m].row))
                    .collect::<Vec<_>>()
                    .join(", ");
                for &m in &members {
                    reported[m] = true;
                    problems.push(BomProblem::at(
                        lines[m].row,
                        &lines[m].part_id,
                        Some("parent_id"),
                        format!("part of a cycle: {text}"),
                    ));
                }
            }
        }
        for i in 0..n {
            if !reached[i] && !reported[i] && !orphan[i] && lines[i].parent_id.is_some() {
                problems.push(BomProblem::at(
                    lines[i].row,
                    &lines[i].part_id,
                    Some("parent_id"),
                    "not connected to the product: an ancestor is an orphan, in a cycle or a second product row".into(),
                ));
            }
        }
    }
    // Currency conversion.
    let mut unit_value_usd = Vec::with_capacity(n);
    for l in lines {
        let rate = if &*l.currency == "USD" {
            Some(Decimal::ONE)
        } else {
            bom.rates.get(&*l.currency).copied()
        };
        let usd = match rate {
            Some(r) => l.unit_value.checked_mul(r).unwrap_or_else(|| {
                problems.push(BomProblem::at(
                    l.row,
                    &l.part_id,
                    Some("unit_value"),
                    "too large to convert".into(),
                ));
                Decimal::ZERO
            }),
            None if l.currency.len() == 3 => {
                problems.push(BomProblem::at(
                    l.row,
                    &l.part_id,
                    Some("currency"),
                    format!(
                        "unknown currency `{}`: give its rate to USD (`--rate {}=1.08` or `rates` in JSON)",
                        l.currency, l.currency
                    ),
                ));
                Decimal::ZERO
            }
            None => Decimal::ZERO,
        };
        unit_value_usd.push(usd);
    }
    let Some(root) = root else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    // Quantity rollup, parents first.
    let mut extended_quantity = vec![Decimal::ZERO; n];
    let mut extended_value = vec![Decimal::ZERO; n];
    extended_quantity[root] = Decimal::ONE;
    extended_value[root] = unit_value_usd[root];
    for &i in &order[1..] {
        let i = i as usize;
        let l = &lines[i];
        let q = l
            .quantity
            .checked_mul(extended_quantity[parent[i] as usize]);
        let v = q.and_then(|q| q.checked_mul(unit_value_usd[i]));
        match (q, v) {
            (Some(q), Some(v)) => {
                extended_quantity[i] = q;
                extended_value[i] = v;
            }
            _ => problems.push(BomProblem::at(
                l.row,
                &l.part_id,
                Some("quantity"),
                "the extended quantity or value overflows".into(),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Tree {
        root,
        parent,
        child_start,
        children,
        order,
        level,
        extended_quantity,
        unit_value_usd,
        extended_value,
    })
}
