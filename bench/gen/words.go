package main

// words are common English words, commonest first (the order sets their
// Zipf weight), with some of a forum's own vocabulary and a few non-ASCII
// spellings so that bodies are not pure ASCII.
var words = []string{
	"the", "to", "I", "a", "and", "of", "it", "is", "that", "you",
	"in", "for", "not", "this", "but", "be", "on", "have", "with", "was",
	"it's", "are", "they", "if", "so", "what", "just", "we", "at", "do",
	"can", "all", "as", "or", "there", "about", "one", "would", "like", "he",
	"don't", "think", "my", "an", "no", "people", "more", "get", "from", "out",
	"will", "by", "know", "up", "some", "time", "has", "their", "I'm", "them",
	"been", "only", "how", "who", "because", "then", "even", "good", "when", "your",
	"really", "any", "which", "much", "also", "well", "other", "did", "same", "could",
	"than", "see", "now", "way", "thing", "make", "still", "should", "right", "here",
	"were", "go", "me", "yes", "never", "point", "why", "said", "those", "after",
	"where", "back", "too", "most", "many", "into", "say", "new", "over", "want",
	"these", "post", "thread", "always", "something", "two", "things", "lot", "years", "first",
	"going", "can't", "her", "his", "year", "she", "our", "better", "work", "anyone",
	"actually", "though", "before", "pretty", "probably", "need", "made", "day", "last", "sure",
	"mean", "long", "since", "least", "off", "take", "doesn't", "idea", "world", "every",
	"read", "may", "used", "agree", "own", "money", "around", "great", "seems", "course",
	"might", "little", "old", "problem", "bit", "place", "next", "another", "whole", "maybe",
	"feel", "both", "big", "look", "true", "far", "find", "part", "question", "enough",
	"once", "quite", "whether", "again", "without", "anything", "very", "case", "use", "kind",
	"real", "nothing", "reason", "answer", "everyone", "else", "rather", "life", "wrong", "fact",
	"already", "while", "between", "down", "fine", "try", "let", "game", "news", "week",
	"bad", "almost", "give", "each", "system", "start", "less", "away", "given", "found",
	"house", "high", "public", "remember", "small", "market", "until", "thought", "funny", "forum",
	"board", "link", "reply", "quote", "edit", "topic", "board's", "computer", "phone", "car",
	"music", "book", "film", "team", "city", "school", "price", "oil", "weather", "water",
	"garden", "dog", "cat", "coffee", "beer", "train", "night", "morning", "evening", "home",
	"friend", "family", "number", "data", "version", "update", "internet", "software", "server", "account",
	"email", "picture", "video", "article", "source", "report", "government", "election", "party", "tax",
	"bank", "company", "job", "business", "law", "court", "interesting", "important", "different", "possible",
	"likely", "simple", "free", "open", "hard", "easy", "cheap", "expensive", "strange", "obvious",
	"certainly", "honestly", "apparently", "basically", "anyway", "perhaps", "agreed", "exactly", "indeed", "although",
	"however", "otherwise", "instead", "during", "against", "under", "three", "ten", "hundred", "half",
	"2", "10", "100", "2015", "Monday", "Friday", "Linux", "Windows", "Google", "London",
	"Europe", "America", "BBC", "UK", "US", "Q&A", "café", "naïve", "über", "déjà",
	"vu", "résumé", "—", "…", "€", ":)",
}

// stockReplies are the one-liners of a busy board.
var stockReplies = []string{
	"+1", "Thanks!", "Agreed.", "This.", "lol", "Same here.", "Good point.",
	"Seconded.", "Ha!", "Nope.", "Source?", "Well said.", "Bump.", ":)",
	"Thanks, that helped.", "Me too.", "Fair enough.",
}

// Parts of member names. Lower-case ASCII only: see makeUsers.
var (
	firstNames = []string{
		"james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas", "charles",
		"chris", "daniel", "matt", "tony", "mark", "paul", "steve", "andy", "ken", "josh",
		"kevin", "brian", "george", "ed", "ron", "tim", "jason", "jeff", "ryan", "jacob",
		"gary", "nick", "eric", "jon", "stephen", "larry", "justin", "scott", "brandon", "ben",
		"sam", "greg", "alex", "frank", "ray", "pat", "jack", "dennis", "jerry", "tyler",
		"mary", "jen", "linda", "liz", "barbara", "sue", "jessica", "sarah", "karen", "lisa",
		"nancy", "betty", "sandra", "ashley", "kim", "emily", "donna", "michelle", "carol", "amanda",
		"melissa", "deb", "steph", "rebecca", "laura", "helen", "sharon", "cindy", "amy", "anna",
		"kate", "emma", "olivia", "sophie", "lucy", "hannah", "claire", "rachel", "ruth", "lars",
		"sven", "hans", "pierre", "marco", "luca", "pablo", "ivan", "yuki", "kenji", "raj",
		"priya", "omar", "ali", "fatima", "chen", "wei", "mei", "olga", "nina",
	}
	surnames = []string{
		"smith", "jones", "brown", "taylor", "wilson", "davies", "evans", "thomas", "johnson", "roberts",
		"walker", "wright", "robinson", "thompson", "white", "hughes", "edwards", "green", "hall", "wood",
		"harris", "lewis", "martin", "jackson", "clarke", "clark", "turner", "hill", "scott", "cooper",
		"morris", "ward", "moore", "king", "watson", "baker", "harrison", "morgan", "patel", "young",
		"allen", "mitchell", "james", "anderson", "phillips", "lee", "bell", "parker", "davis", "miller",
		"garcia", "mueller", "schmidt", "rossi", "dubois", "novak", "kowalski", "jensen", "nakamura", "kim",
	}
	adjectives = []string{
		"old", "grumpy", "quiet", "lazy", "happy", "dark", "silver", "red", "blue", "green",
		"wild", "lucky", "lost", "crazy", "cosmic", "rusty", "sleepy", "angry", "fuzzy", "little",
		"big", "mad", "shy", "brave", "clever", "salty", "sunny", "stormy", "frozen", "iron",
		"golden", "northern", "southern", "random", "tired", "modest", "humble", "noisy", "retro", "urban",
	}
	nouns = []string{
		"fox", "wolf", "bear", "owl", "hawk", "cat", "dog", "badger", "otter", "raven",
		"tiger", "lion", "panda", "whale", "shark", "pirate", "ninja", "wizard", "monk", "knight",
		"rider", "sailor", "hiker", "gamer", "coder", "hacker", "farmer", "baker", "doctor", "teacher",
		"dragon", "ghost", "robot", "rocket", "comet", "storm", "river", "mountain", "forest", "island",
		"penguin", "moose", "falcon", "viking", "cowboy", "lurker", "troll", "guru", "dude", "fan",
	}
)

// boardTopic is a side board's slug, title and description.
type boardTopic struct{ slug, title, description string }

// boardTopics are the side boards of an old general forum. None is
// "general", the giant board.
var boardTopics = []boardTopic{
	{"announcements", "Announcements", "News about the forum itself, from the staff."},
	{"off-topic", "Off topic", "Whatever does not fit anywhere else."},
	{"help", "Help", "Questions about using the forum."},
	{"feedback", "Feedback", "What works, what does not, and what you would like."},
	{"introductions", "Introductions", "New here? Say hello."},
	{"politics", "Politics", "Elections, policies and the people behind them. Keep it civil."},
	{"economy", "Economy", "Markets, money, prices and jobs."},
	{"science", "Science", "Research, discoveries and how the world works."},
	{"space", "Space", "Launches, telescopes and everything beyond the sky."},
	{"tech", "Technology", "Gadgets, computers and the internet."},
	{"programming", "Programming", "Code, languages and tools."},
	{"linux", "Linux", "Distributions, kernels and the command line."},
	{"hardware", "Hardware", "Building, fixing and upgrading machines."},
	{"retro-computing", "Retro computing", "Old machines and the software they ran."},
	{"games", "Games", "Video games of every kind."},
	{"board-games", "Board games", "Cards, dice, tiles and the evenings around them."},
	{"chess", "Chess", "Openings, endgames and famous matches."},
	{"music", "Music", "What you listen to, play or record."},
	{"movies", "Movies", "Films old and new."},
	{"tv", "Television", "Series, shows and what to watch next."},
	{"books", "Books", "What you are reading and what you would recommend."},
	{"writing", "Writing", "Stories, poems and the craft of writing."},
	{"art", "Art", "Painting, drawing and design."},
	{"photography", "Photography", "Cameras, lenses and your pictures."},
	{"history", "History", "The past and what it teaches."},
	{"philosophy", "Philosophy", "Big questions, long threads."},
	{"languages", "Languages", "Learning, teaching and comparing languages."},
	{"math", "Mathematics", "Puzzles, proofs and numbers."},
	{"education", "Education", "Schools, universities and learning at any age."},
	{"health", "Health", "Medicine, fitness and well-being. Not a substitute for a doctor."},
	{"fitness", "Fitness", "Training, running and staying in shape."},
	{"cycling", "Cycling", "Bikes, routes and races."},
	{"football", "Football", "Leagues, cups and the beautiful game."},
	{"sports", "Sports", "Every other sport."},
	{"cooking", "Cooking", "Recipes, kitchens and disasters."},
	{"travel", "Travel", "Trips, tips and places to see."},
	{"cars", "Cars", "Driving, repairs and the car you wish you had."},
	{"pets", "Pets", "Cats, dogs and the rest of the household."},
	{"gardening", "Gardening", "Plants, soil and the weather they need."},
	{"diy", "DIY", "Fixing and building things at home."},
	{"housing", "Housing", "Renting, buying and living somewhere."},
	{"finance", "Personal finance", "Saving, investing and budgeting."},
	{"jobs", "Jobs", "Careers, interviews and workplaces."},
	{"marketplace", "Marketplace", "Buy, sell and swap between members."},
	{"parenting", "Parenting", "Children and the people raising them."},
	{"environment", "Environment", "Climate, energy and nature."},
	{"weather", "Weather", "Forecasts, storms and the odd heatwave."},
	{"local-events", "Local events", "Meetups and happenings near you."},
	{"humor", "Humor", "Jokes, puns and funny finds."},
	{"news", "News", "Headlines worth talking about."},
	{"fashion", "Fashion", "Clothes, style and what not to wear."},
	{"anime", "Anime", "Japanese animation and comics."},
	{"podcasts", "Podcasts", "Shows worth the listen."},
	{"hiking", "Hiking", "Trails, boots and views."},
	{"poetry", "Poetry", "Verse of every kind, yours included."},
	{"bug-reports", "Bug reports", "Something broken on the forum? Tell us here."},
	{"feature-requests", "Feature requests", "Ideas for the forum's future."},
	{"meta", "Meta", "Talk about the forum and its community."},
	{"sandbox", "Sandbox", "Try out formatting here."},
	{"archive", "Archive", ""},
}
