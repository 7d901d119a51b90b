// The product catalogue of the synthetic Korean fashion/lifestyle shop: departments, category
// paths ("여성 > 신발 > 스니커즈"), fictional brands, names in Korean and English, KRW prices.
// Deterministic for a seed; small enough to hold in memory (a few hundred to a few thousand SKUs).
import { createRandom, type Random } from './random.ts';

/** The broad categories customers state preferences for (and the behaviour model leans on). */
export const CATEGORIES = ['outer', 'top', 'bottom', 'dress', 'shoes', 'bag', 'accessory', 'beauty', 'home', 'kids'] as const;
export type CategoryKey = (typeof CATEGORIES)[number];

type Label = readonly [ko: string, en: string];
type Department = 'women' | 'men' | 'beauty' | 'home' | 'kids';

const DEPARTMENTS: Record<Department, Label> = {
  women: ['여성', 'Women'],
  men: ['남성', 'Men'],
  beauty: ['뷰티', 'Beauty'],
  home: ['홈', 'Home'],
  kids: ['키즈', 'Kids'],
};

type Leaf = {
  department: Department;
  key: CategoryKey;
  /** Three letters in the SKU. */
  code: string;
  path: readonly Label[];
  /** Price range in KRW. */
  price: readonly [number, number];
  nouns: readonly Label[];
  /** How many of the catalogue's products fall here, relatively. */
  weight: number;
};

const MID: Record<string, Label> = {
  outer: ['아우터', 'Outerwear'],
  top: ['상의', 'Tops'],
  bottom: ['하의', 'Bottoms'],
  dress: ['원피스', 'Dresses'],
  shoes: ['신발', 'Shoes'],
  bag: ['가방', 'Bags'],
  accessory: ['액세서리', 'Accessories'],
};

function leaf(department: Department, key: CategoryKey, code: string, name: Label | null, price: readonly [number, number], nouns: readonly Label[], weight: number): Leaf {
  const path: Label[] = [DEPARTMENTS[department]];
  if (MID[key]) path.push(MID[key]);
  if (name) path.push(name);
  return { department, key, code, path, price, nouns, weight };
}

const LEAVES: readonly Leaf[] = [
  leaf('women', 'outer', 'COA', ['코트', 'Coats'], [129_000, 389_000], [['코트', 'coat'], ['트렌치 코트', 'trench coat'], ['핸드메이드 코트', 'handmade coat']], 5),
  leaf('women', 'outer', 'JKT', ['재킷', 'Jackets'], [89_000, 259_000], [['트위드 재킷', 'tweed jacket'], ['블레이저', 'blazer'], ['데님 재킷', 'denim jacket']], 4),
  leaf('women', 'outer', 'PAD', ['패딩', 'Puffer jackets'], [149_000, 399_000], [['숏패딩', 'short puffer'], ['롱패딩', 'long puffer'], ['경량 패딩 베스트', 'light puffer vest']], 3),
  leaf('women', 'top', 'BLS', ['블라우스', 'Blouses'], [39_000, 89_000], [['블라우스', 'blouse'], ['셔츠', 'shirt'], ['프릴 블라우스', 'frill blouse']], 5),
  leaf('women', 'top', 'KNT', ['니트', 'Knitwear'], [49_000, 159_000], [['라운드 니트', 'crew-neck sweater'], ['가디건', 'cardigan'], ['터틀넥 니트', 'turtleneck sweater']], 6),
  leaf('women', 'top', 'TEE', ['티셔츠', 'T-shirts'], [19_000, 49_000], [['반팔 티셔츠', 'T-shirt'], ['긴팔 티셔츠', 'long-sleeve T-shirt'], ['슬리브리스', 'sleeveless top']], 5),
  leaf('women', 'bottom', 'DNM', ['데님', 'Denim'], [49_000, 129_000], [['와이드 데님 팬츠', 'wide-leg jeans'], ['스트레이트 진', 'straight jeans'], ['부츠컷 진', 'bootcut jeans']], 4),
  leaf('women', 'bottom', 'SLK', ['슬랙스', 'Trousers'], [45_000, 119_000], [['슬랙스', 'trousers'], ['핀턱 팬츠', 'pintuck trousers']], 4),
  leaf('women', 'bottom', 'SKT', ['스커트', 'Skirts'], [39_000, 99_000], [['플리츠 스커트', 'pleated skirt'], ['롱 스커트', 'maxi skirt'], ['미니 스커트', 'mini skirt']], 4),
  leaf('women', 'dress', 'DRS', ['원피스', 'Dresses'], [59_000, 169_000], [['미디 원피스', 'midi dress'], ['셔츠 원피스', 'shirt dress'], ['니트 원피스', 'knit dress']], 6),
  leaf('women', 'shoes', 'SNK', ['스니커즈', 'Sneakers'], [59_000, 169_000], [['스니커즈', 'sneakers'], ['러닝화', 'running shoes'], ['캔버스 스니커즈', 'canvas sneakers']], 5),
  leaf('women', 'shoes', 'LOF', ['로퍼', 'Loafers'], [79_000, 189_000], [['페니 로퍼', 'penny loafers'], ['메리제인', 'Mary Janes']], 3),
  leaf('women', 'shoes', 'BOT', ['부츠', 'Boots'], [99_000, 259_000], [['앵클 부츠', 'ankle boots'], ['첼시 부츠', 'Chelsea boots']], 3),
  leaf('women', 'bag', 'SHB', ['숄더백', 'Shoulder bags'], [69_000, 289_000], [['숄더백', 'shoulder bag'], ['호보백', 'hobo bag']], 4),
  leaf('women', 'bag', 'TOT', ['토트백', 'Tote bags'], [39_000, 199_000], [['토트백', 'tote bag'], ['캔버스 에코백', 'canvas tote']], 3),
  leaf('women', 'accessory', 'EAR', ['귀걸이', 'Earrings'], [19_000, 79_000], [['드롭 귀걸이', 'drop earrings'], ['실버 링 귀걸이', 'silver hoop earrings']], 3),
  leaf('women', 'accessory', 'SCF', ['스카프', 'Scarves'], [29_000, 89_000], [['실크 스카프', 'silk scarf'], ['울 머플러', 'wool muffler']], 2),
  leaf('men', 'outer', 'COA', ['코트', 'Coats'], [159_000, 399_000], [['싱글 코트', 'single-breasted coat'], ['발마칸 코트', 'balmacaan coat']], 3),
  leaf('men', 'outer', 'BLJ', ['블루종', 'Blousons'], [99_000, 229_000], [['블루종', 'blouson'], ['워크 재킷', 'work jacket']], 3),
  leaf('men', 'top', 'SHT', ['셔츠', 'Shirts'], [39_000, 99_000], [['옥스퍼드 셔츠', 'Oxford shirt'], ['스트라이프 셔츠', 'striped shirt']], 4),
  leaf('men', 'top', 'SWT', ['맨투맨', 'Sweatshirts'], [39_000, 89_000], [['맨투맨', 'sweatshirt'], ['후드 티셔츠', 'hoodie']], 4),
  leaf('men', 'bottom', 'SLK', ['슬랙스', 'Trousers'], [49_000, 129_000], [['원턱 슬랙스', 'pleated trousers'], ['치노 팬츠', 'chinos']], 3),
  leaf('men', 'bottom', 'DNM', ['데님', 'Denim'], [59_000, 139_000], [['셀비지 데님', 'selvedge jeans'], ['테이퍼드 진', 'tapered jeans']], 3),
  leaf('men', 'shoes', 'SNK', ['스니커즈', 'Sneakers'], [69_000, 179_000], [['레더 스니커즈', 'leather sneakers'], ['러닝화', 'running shoes']], 3),
  leaf('men', 'shoes', 'DRB', ['더비 슈즈', 'Derby shoes'], [119_000, 229_000], [['더비 슈즈', 'Derby shoes']], 2),
  leaf('men', 'bag', 'BPK', ['백팩', 'Backpacks'], [59_000, 189_000], [['백팩', 'backpack'], ['메신저백', 'messenger bag']], 2),
  leaf('men', 'accessory', 'BLT', ['벨트', 'Belts'], [29_000, 89_000], [['레더 벨트', 'leather belt']], 2),
  leaf('beauty', 'beauty', 'SKN', ['스킨케어', 'Skincare'], [18_000, 58_000], [['토너', 'toner'], ['세럼', 'serum'], ['수분 크림', 'moisturiser'], ['선크림', 'sunscreen']], 5),
  leaf('beauty', 'beauty', 'MKP', ['메이크업', 'Makeup'], [12_000, 39_000], [['쿠션 파운데이션', 'cushion foundation'], ['립 틴트', 'lip tint'], ['아이섀도 팔레트', 'eyeshadow palette']], 4),
  leaf('beauty', 'beauty', 'FRG', ['향수', 'Fragrance'], [59_000, 159_000], [['오 드 퍼퓸', 'eau de parfum'], ['핸드크림', 'hand cream']], 2),
  leaf('home', 'home', 'FAB', ['패브릭', 'Textiles'], [29_000, 129_000], [['차렵이불', 'quilt'], ['쿠션 커버', 'cushion cover'], ['러그', 'rug']], 3),
  leaf('home', 'home', 'CND', ['캔들·디퓨저', 'Candles & diffusers'], [19_000, 59_000], [['캔들', 'candle'], ['디퓨저', 'diffuser']], 2),
  leaf('home', 'home', 'KIT', ['주방', 'Kitchen'], [15_000, 69_000], [['머그컵', 'mug'], ['파스타 볼', 'pasta bowl'], ['린넨 앞치마', 'linen apron']], 2),
  leaf('kids', 'kids', 'KTP', ['상의', 'Tops'], [19_000, 45_000], [['키즈 맨투맨', "kids' sweatshirt"], ['키즈 티셔츠', "kids' T-shirt"]], 2),
  leaf('kids', 'kids', 'KSH', ['신발', 'Shoes'], [29_000, 69_000], [['키즈 운동화', "kids' sneakers"], ['키즈 장화', "kids' rain boots"]], 1),
];

const BRANDS: Record<Department | 'shoes_bags', readonly Label[]> = {
  women: [['모노하우스', 'MONOHOUSE'], ['오르디', 'ORDI'], ['세컨드무드', 'SECOND MOOD'], ['르베인', 'LEVAIN'], ['소하', 'SOHA'], ['하루에', 'HARUE']],
  men: [['데일리로우', 'DAILY ROW'], ['어반폼', 'URBAN FORM'], ['모노하우스', 'MONOHOUSE'], ['노스밸리', 'NORTH VALLEY']],
  shoes_bags: [['스텝바이', 'STEPBY'], ['누아', 'NUA'], ['오르디', 'ORDI']],
  beauty: [['담화', 'DAMHWA'], ['글로우랩', 'GLOW LAB'], ['온빛', 'ONBIT']],
  home: [['무늬', 'MUNUI'], ['살림공방', 'SALLIM']],
  kids: [['꼬마숲', 'KKOMA FOREST'], ['데일리로우 키즈', 'DAILY ROW KIDS']],
};

const APPAREL_ADJECTIVES: readonly Label[] = [
  ['오버핏', 'Oversized'], ['슬림핏', 'Slim-fit'], ['데일리', 'Everyday'], ['베이직', 'Basic'], ['클래식', 'Classic'],
  ['미니멀', 'Minimal'], ['빈티지', 'Vintage'], ['소프트', 'Soft'], ['크롭', 'Cropped'], ['울 블렌드', 'Wool-blend'],
  ['코튼', 'Cotton'], ['린넨', 'Linen'], ['캐시미어 터치', 'Cashmere-touch'], ['레더', 'Leather'],
];
const BEAUTY_ADJECTIVES: readonly Label[] = [['수분', 'Hydrating'], ['진정', 'Calming'], ['비건', 'Vegan'], ['브라이트닝', 'Brightening'], ['데일리', 'Daily']];
const HOME_ADJECTIVES: readonly Label[] = [['코튼', 'Cotton'], ['린넨', 'Linen'], ['세라믹', 'Ceramic'], ['우드', 'Wooden'], ['내추럴', 'Natural']];

/** Colour names with the hex the demo shop draws the product picture in. */
export const COLOURS: readonly (readonly [ko: string, en: string, hex: string])[] = [
  ['블랙', 'Black', '#2b2b2b'], ['아이보리', 'Ivory', '#f3eddc'], ['베이지', 'Beige', '#d8c3a5'], ['차콜', 'Charcoal', '#4a4e54'],
  ['네이비', 'Navy', '#2c3e63'], ['카키', 'Khaki', '#7d7a4f'], ['브라운', 'Brown', '#7b5138'], ['스카이블루', 'Sky blue', '#9cc3e4'],
  ['핑크', 'Pink', '#efb8c3'], ['그레이', 'Grey', '#a4a6a8'],
];
const SEASONS = ['SS', 'FW', 'ALL'] as const;

export type SyntheticProduct = {
  sku: string;
  name: string;
  nameEn: string;
  brand: string;
  brandEn: string;
  /** Korean category path, levels joined by " > ": "여성 > 신발 > 스니커즈". */
  category: string;
  categoryEn: string;
  /** The broad category (a customer preference key). */
  categoryKey: CategoryKey;
  department: Department;
  /** KRW (no minor unit). */
  price: number;
  currency: 'KRW';
  imageUrl: string;
  url: string;
  attributes: { colour: string; colourEn: string; colourHex: string; season: (typeof SEASONS)[number]; sizes: string[] };
  /** How popular the product is relative to the others of its category (views lean to the popular). */
  popularity: number;
};

export type CatalogueOptions = {
  seed?: number;
  /** Number of products; default 240. */
  count?: number;
  /** Where the product pages and pictures live; default the demo shop's paths. */
  productUrl?: (sku: string) => string;
  imageUrl?: (sku: string) => string;
};

function pad(n: number, width: number) {
  return String(n).padStart(width, '0');
}

/** A KRW price as shops write them: whole thousands, often ending in 900. */
function priceIn(rnd: Random, [min, max]: readonly [number, number]): number {
  // Cheaper items are more common within a range.
  const raw = min + (max - min) * rnd.next() ** 1.6;
  const thousands = Math.round(raw / 1000) * 1000;
  return rnd.chance(0.35) ? thousands - 100 : thousands;
}

function sizesFor(l: Leaf): string[] {
  if (l.key === 'shoes') return l.department === 'men' ? ['250', '260', '270', '280'] : ['225', '230', '235', '240', '245', '250'];
  if (l.key === 'kids') return ['100', '110', '120', '130'];
  if (['beauty', 'home', 'bag', 'accessory'].includes(l.key)) return ['FREE'];
  return ['S', 'M', 'L', 'XL'];
}

function brandsFor(l: Leaf): readonly Label[] {
  if ((l.key === 'shoes' || l.key === 'bag') && l.department !== 'kids') return BRANDS.shoes_bags;
  return BRANDS[l.department];
}

function adjectivesFor(l: Leaf): readonly Label[] {
  if (l.department === 'beauty') return BEAUTY_ADJECTIVES;
  if (l.department === 'home') return HOME_ADJECTIVES;
  return APPAREL_ADJECTIVES;
}

/** The whole catalogue, in SKU order within categories. Same seed and count → same products. */
export function generateCatalogue(opts: CatalogueOptions = {}): SyntheticProduct[] {
  const rnd = createRandom((opts.seed ?? 42) ^ 0xca7a10);
  const count = opts.count ?? 240;
  const productUrl = opts.productUrl ?? ((sku: string) => `/demo-shop/p/${sku}`);
  const imageUrl = opts.imageUrl ?? ((sku: string) => `/demo-shop/img/${sku}.svg`);
  const totalWeight = LEAVES.reduce((s, l) => s + l.weight, 0);
  // Every leaf gets its share (at least one product), so every category path exists.
  const shares = LEAVES.map((l) => Math.max(1, Math.round((count * l.weight) / totalWeight)));
  let diff = count - shares.reduce((s, n) => s + n, 0);
  for (let i = 0; diff !== 0; i = (i + 1) % shares.length) {
    if (diff > 0) {
      shares[i]!++;
      diff--;
    } else if (shares[i]! > 1) {
      shares[i]!--;
      diff++;
    }
    if (diff < 0 && shares.every((n) => n === 1)) break; // fewer products than leaves: one each
  }
  const products: SyntheticProduct[] = [];
  LEAVES.forEach((l, li) => {
    const brands = brandsFor(l);
    const adjectives = adjectivesFor(l);
    for (let n = 0; n < shares[li]!; n++) {
      const [brand, brandEn] = rnd.pick(brands);
      const [adj, adjEn] = rnd.pick(adjectives);
      const [noun, nounEn] = rnd.pick(l.nouns);
      const [colour, colourEn, colourHex] = rnd.pick(COLOURS);
      const coloured = l.department !== 'beauty';
      const sku = `${l.department[0]!.toUpperCase()}${l.code}-${pad(n + 1, 4)}`;
      products.push({
        sku,
        name: `${adj} ${noun}${coloured ? ` (${colour})` : ''}`,
        nameEn: `${adjEn} ${nounEn}${coloured ? ` (${colourEn.toLowerCase()})` : ''}`,
        brand,
        brandEn,
        category: l.path.map(([ko]) => ko).join(' > '),
        categoryEn: l.path.map(([, en]) => en).join(' > '),
        categoryKey: l.key,
        department: l.department,
        price: priceIn(rnd, l.price),
        currency: 'KRW',
        imageUrl: imageUrl(sku),
        url: productUrl(sku),
        attributes: { colour, colourEn, colourHex, season: rnd.pick(SEASONS), sizes: sizesFor(l) },
        // Zipf-like: a few best-sellers per category, a long tail.
        popularity: Math.round((1 / (1 + rnd.next() * 9)) ** 1.2 * 1000) / 1000,
      });
    }
  });
  return products;
}
