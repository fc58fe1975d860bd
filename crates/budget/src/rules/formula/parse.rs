//! HyperFormula's formula grammar (`parser/FormulaParser`, `parser/LexerConfig`), the
//! part rules use: numbers, strings, named expressions (the transaction's fields),
//! function calls, `+ - * / ^ & = <> < > <= >=`, unary `+`/`-`, `%`, parentheses.
//! Cell references, ranges, arrays, error literals, sheet names, empty arguments,
//! strings with a backslash and anything that does not parse are refused by name.

use super::super::error::RuleError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Num(f64),
    Str(String),
    /// A named expression, as written (HyperFormula looks names up case-insensitively).
    Name(String),
    /// A function call, its name upper-cased.
    Call(String, Vec<Ast>),
    Neg(Box<Ast>),
    Plus(Box<Ast>),
    Percent(Box<Ast>),
    Bin(BinOp, Box<Ast>, Box<Ast>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Name(String),
    /// `NAME(`: a procedure name with its opening parenthesis.
    Proc(String),
    Op(BinOp),
    Plus,
    Minus,
    Percent,
    LParen,
    RParen,
    Comma,
}

fn unsupported(what: impl std::fmt::Display) -> RuleError {
    RuleError::Unsupported(format!("a formula with {what}"))
}

/// `UNICODE_LETTER_PATTERN`: `A-Za-z\u00C0-\u02AF`.
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('\u{C0}'..='\u{2AF}').contains(&c)
}

/// `NON_RESERVED_CHARACTER_PATTERN`: letters, digits, `_` and `.`.
fn is_name_char(c: char) -> bool {
    is_letter(c) || c.is_ascii_digit() || c == '_' || c == '.'
}

/// Whether a name would be read as a cell reference (`A1`, `R1C1`) instead.
pub fn looks_like_reference(name: &str) -> bool {
    let a1 = {
        let letters = name.chars().take_while(char::is_ascii_alphabetic).count();
        let rest = &name[letters..];
        letters > 0 && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit())
    };
    let r1c1 = {
        let mut it = name.chars().peekable();
        let mut ok = matches!(it.next(), Some('r' | 'R'));
        while it.peek().is_some_and(char::is_ascii_digit) {
            it.next();
        }
        ok &= matches!(it.next(), Some('c' | 'C'));
        while it.peek().is_some_and(char::is_ascii_digit) {
            it.next();
        }
        ok && it.next().is_none()
    };
    a1 || r1c1
}

/// A valid named-expression name (`NamedExpressions.isNameValid`).
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| is_letter(c) || c == '_');
    first_ok && chars.all(is_name_char) && !looks_like_reference(name)
}

fn lex(src: &str) -> Result<Vec<Tok>, RuleError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '+' => {
                out.push(Tok::Plus);
                i += 1
            }
            '-' => {
                out.push(Tok::Minus);
                i += 1
            }
            '*' | '/' | '^' | '&' | '=' => {
                out.push(Tok::Op(match c {
                    '*' => BinOp::Mul,
                    '/' => BinOp::Div,
                    '^' => BinOp::Pow,
                    '&' => BinOp::Concat,
                    _ => BinOp::Eq,
                }));
                i += 1
            }
            '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('<', Some('>')) => (BinOp::Ne, 2),
                    ('<', Some('=')) => (BinOp::Le, 2),
                    ('>', Some('=')) => (BinOp::Ge, 2),
                    ('<', _) => (BinOp::Lt, 1),
                    _ => (BinOp::Gt, 1),
                };
                out.push(Tok::Op(op));
                i += len
            }
            '%' => {
                out.push(Tok::Percent);
                i += 1
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            '"' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        return Err(unsupported("a backslash in a string"));
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(unsupported("an unterminated string"));
                }
                out.push(Tok::Str(chars[start..j].iter().collect()));
                i = j + 1
            }
            c if c.is_ascii_digit() || c == '.' => {
                // `(([.]\d+)|(\d+([.]\d*)?))(e[+-]?\d+)?`
                let start = i;
                let mut j = i;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let int_digits = j - start;
                if j < chars.len() && chars[j] == '.' {
                    j += 1;
                    let frac_start = j;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    if int_digits == 0 && j == frac_start {
                        return Err(unsupported("a stray '.'"));
                    }
                }
                if j < chars.len() && chars[j] == 'e' {
                    let mut k = j + 1;
                    if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
                        k += 1;
                    }
                    let digits = k;
                    while k < chars.len() && chars[k].is_ascii_digit() {
                        k += 1;
                    }
                    if k > digits {
                        j = k;
                    }
                }
                // A letter, digit or '$' right after a number is a cell reference or
                // a parse error in HyperFormula: not ours to tell.
                if chars
                    .get(j)
                    .is_some_and(|&c| is_name_char(c) || c == '$' || c == ':')
                {
                    return Err(unsupported("a number followed by a name"));
                }
                let text: String = chars[start..j].iter().collect();
                let n: f64 = text
                    .parse()
                    .map_err(|_| unsupported(format!("the number {text}")))?;
                out.push(Tok::Num(n));
                i = j
            }
            c if is_letter(c) || c == '_' => {
                let start = i;
                let mut j = i;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                let name: String = chars[start..j].iter().collect();
                match chars.get(j) {
                    Some('(') if is_letter(c) => {
                        out.push(Tok::Proc(name.to_uppercase()));
                        i = j + 1;
                        continue;
                    }
                    Some('!' | ':' | '$') => {
                        return Err(unsupported(format!("a reference or range ({name}...)")))
                    }
                    _ => {}
                }
                if looks_like_reference(&name) {
                    return Err(unsupported(format!("a cell reference ({name})")));
                }
                out.push(Tok::Name(name));
                i = j
            }
            '{' | '}' | ';' => return Err(unsupported("an array")),
            '#' => return Err(unsupported("an error literal")),
            other => return Err(unsupported(format!("the character {other:?}"))),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn binary(
        &mut self,
        ops: &[BinOp],
        next: fn(&mut Parser) -> Result<Ast, RuleError>,
    ) -> Result<Ast, RuleError> {
        let mut lhs = next(self)?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(op)) if ops.contains(op) => *op,
                Some(Tok::Plus) if ops.contains(&BinOp::Add) => BinOp::Add,
                Some(Tok::Minus) if ops.contains(&BinOp::Sub) => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = next(self)?;
            lhs = Ast::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn boolean(&mut self) -> Result<Ast, RuleError> {
        use BinOp::*;
        self.binary(&[Eq, Ne, Lt, Gt, Le, Ge], Parser::concat)
    }

    fn concat(&mut self) -> Result<Ast, RuleError> {
        self.binary(&[BinOp::Concat], Parser::addition)
    }

    fn addition(&mut self) -> Result<Ast, RuleError> {
        self.binary(&[BinOp::Add, BinOp::Sub], Parser::multiplication)
    }

    fn multiplication(&mut self) -> Result<Ast, RuleError> {
        self.binary(&[BinOp::Mul, BinOp::Div], Parser::power)
    }

    fn power(&mut self) -> Result<Ast, RuleError> {
        self.binary(&[BinOp::Pow], Parser::atomic)
    }

    /// Unary `+`/`-` bind tighter than `^` (`-2^2` is 4).
    fn atomic(&mut self) -> Result<Ast, RuleError> {
        match self.peek() {
            Some(Tok::Minus) => {
                self.pos += 1;
                Ok(Ast::Neg(Box::new(self.atomic()?)))
            }
            Some(Tok::Plus) => {
                self.pos += 1;
                Ok(Ast::Plus(Box::new(self.atomic()?)))
            }
            _ => {
                let value = self.positive()?;
                if self.peek() == Some(&Tok::Percent) {
                    self.pos += 1;
                    return Ok(Ast::Percent(Box::new(value)));
                }
                Ok(value)
            }
        }
    }

    fn positive(&mut self) -> Result<Ast, RuleError> {
        match self.bump() {
            Some(Tok::Num(n)) => Ok(Ast::Num(n)),
            Some(Tok::Str(s)) => Ok(Ast::Str(s)),
            Some(Tok::Name(n)) => Ok(Ast::Name(n)),
            Some(Tok::LParen) => {
                let inner = self.boolean()?;
                match self.bump() {
                    Some(Tok::RParen) => Ok(inner),
                    _ => Err(unsupported("unbalanced parentheses")),
                }
            }
            Some(Tok::Proc(name)) => {
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                    return Ok(Ast::Call(name, args));
                }
                loop {
                    if matches!(self.peek(), Some(Tok::Comma | Tok::RParen)) {
                        return Err(unsupported(format!("an empty argument to {name}")));
                    }
                    args.push(self.boolean()?);
                    match self.bump() {
                        Some(Tok::Comma) => {}
                        Some(Tok::RParen) => return Ok(Ast::Call(name, args)),
                        _ => return Err(unsupported(format!("a malformed call to {name}"))),
                    }
                }
            }
            _ => Err(unsupported("a syntax HyperFormula would not parse")),
        }
    }
}

/// Parses a formula (the text after its leading `=`).
pub fn parse(body: &str) -> Result<Ast, RuleError> {
    let mut p = Parser {
        toks: lex(body)?,
        pos: 0,
    };
    let ast = p.boolean()?;
    if p.pos != p.toks.len() {
        return Err(unsupported("a syntax HyperFormula would not parse"));
    }
    Ok(ast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_hyperformula() {
        let neg_pow = parse("-2^2").unwrap();
        assert!(matches!(neg_pow, Ast::Bin(BinOp::Pow, ref l, _) if matches!(**l, Ast::Neg(_))));
        let mixed = parse("1+2*3&\"x\"=\"7x\"").unwrap();
        assert!(matches!(mixed, Ast::Bin(BinOp::Eq, _, _)));
    }

    #[test]
    fn references_and_ranges_are_refused() {
        for f in [
            "A1",
            "SUM(A1:B2)",
            "Sheet1!A1",
            "{1,2}",
            "#N/A",
            "IF(,1)",
            "R1C1",
            "1E5",
        ] {
            assert!(
                matches!(parse(f), Err(RuleError::Unsupported(_))),
                "{f} should be refused"
            );
        }
    }
}
